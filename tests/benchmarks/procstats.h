// What the benchmarks measure about processes: resident memory and CPU time, of this process and of
// another one (the echo server) by pid; and the descriptor limit the scale runs raise. Linux only (/proc, getrusage); no Qt, so that the Beast
// programs use the very same helpers.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace Bench {

// Resident set of this process in KiB (VmRSS).
inline long residentKiB()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    }
    return 0;
}

// User + system CPU seconds of this process, all threads.
inline double selfCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// User + system CPU seconds of process `pid` (all threads), or 0 when it cannot be read.
inline double processCpuSeconds(long pid)
{
    if (pid <= 0)
        return 0;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const std::string::size_type end = text.rfind(')');
    if (end == std::string::npos)
        return 0;
    std::istringstream fields(text.substr(end + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14)
            utime = std::stoull(field);
        if (i == 15) {
            stime = std::stoull(field);
            break;
        }
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// Raises this process's descriptor limit to at least `wanted` (as root also past the hard limit, up
// to fs.nr_open); returns the limit now in force.
inline long raiseFileLimit(long wanted)
{
    rlimit files {};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0)
        return 0;
    if (files.rlim_cur >= rlim_t(wanted))
        return long(files.rlim_cur);
    rlimit raised { rlim_t(wanted), files.rlim_max > rlim_t(wanted) ? files.rlim_max : rlim_t(wanted) };
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        raised = { files.rlim_max, files.rlim_max }; // not root: as far as the hard limit goes
        setrlimit(RLIMIT_NOFILE, &raised);
    }
    getrlimit(RLIMIT_NOFILE, &files);
    return long(files.rlim_cur);
}

} // namespace Bench
