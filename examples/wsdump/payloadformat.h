// How wsdump shows a received payload: text as is, binary as hex, or decoded when it is compressed text.
#pragma once

#include <WsClient/enums.h>

#include <QtCore/qbytearray.h>
#include <QtCore/qstring.h>

// The seed's names for opcodes in verbose output: cont, text, binary, close, ping, pong.
QString opcodeName(WsClient::Opcode opcode);

// "00 ff 10"
QString hexDump(const QByteArray &data);

// The UTF-8 text inside gzip, zlib or raw deflate data, with its kind ("gzip", "zlib", "deflate");
// an empty kind when the data is none of those or does not inflate to valid UTF-8.
struct DecodedText
{
    QString kind;
    QString text;
};
DecodedText decodeCompressedText(const QByteArray &data);

// A binary payload for display: "[gzip] text", "[zlib] text", "[deflate] text" or "[hex] 00 ff".
QString describeBinary(const QByteArray &data);
