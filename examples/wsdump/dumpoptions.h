// wsdump's command line: what the user asked for, parsed and checked before anything connects.
#pragma once

#include <QtCore/qbytearray.h>
#include <QtCore/qlist.h>
#include <QtCore/qstringlist.h>
#include <QtCore/qurl.h>

struct DumpOptions
{
    QUrl url;
    QString proxy; // -p URL; empty: none
    int verbose = 0; // 1: opcodes; 2: also the library trace
    bool noCertificateCheck = false;
    bool raw = false;
    bool quiet = false;
    QStringList subprotocols;
    QByteArray origin;
    QList<QByteArray> headers; // "Name: value" lines
    int eofWaitMs = 0;
    bool hasText = false;
    QString text; // -t: sent first
    bool hasBinary = false;
    QByteArray binary; // --binary-hex / --binary-file: sent first (before -t)
    bool timings = false;
    bool compress = false;
    int pingIntervalMs = 0; // 0: no pings
    qint64 maxSize = 0; // 0: the library's default
    int openTimeoutMs = -1; // --timeout; -1: the library's default (10 s), 0: none
    quint16 closeCode = 1000;
    QString closeReason;
};

struct ParsedCommandLine
{
    enum class Outcome { Run, ShowHelp, ShowVersion, Error };
    Outcome outcome = Outcome::Run;
    DumpOptions options;
    QString text; // help or version text, or the one-line error
};

// Parses wsdump's arguments (arguments.first() is the program name).
ParsedCommandLine parseCommandLine(const QStringList &arguments);
