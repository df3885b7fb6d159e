// Prints and compares three versions that must be one: the installed <WsClient/wsclient_global.h>
// (generated from project(VERSION)), the CMake package's and the one the test expects.
#include <WsClient/wsclient_global.h>

#include <cstdio>
#include <cstring>

int main()
{
    static_assert(WSCLIENT_VERSION
                      == QT_VERSION_CHECK(WSCLIENT_VERSION_MAJOR, WSCLIENT_VERSION_MINOR, WSCLIENT_VERSION_PATCH),
                  "WSCLIENT_VERSION");
    std::printf("header %s package %s expected %s\n", WSCLIENT_VERSION_STR, PACKAGE_VERSION_STR, EXPECT_VERSION_STR);
    return std::strcmp(WSCLIENT_VERSION_STR, PACKAGE_VERSION_STR) == 0
            && std::strcmp(WSCLIENT_VERSION_STR, EXPECT_VERSION_STR) == 0
        ? 0
        : 1;
}
