#include <WsClient/compression.h>

#include "shareddefault_p.h"

namespace WsClient {

class CompressionOptionsPrivate : public QSharedData
{
public:
    bool enabled = false;
    int clientMaxWindowBits = CompressionOptions::MaxWindowBits;
    int serverMaxWindowBits = CompressionOptions::MaxWindowBits;
    bool clientNoContextTakeover = false;
    bool serverNoContextTakeover = false;
    int compressionLevel = -1;
    int memoryLevel = 8;
    qint64 minimumSize = 0;
    qint64 maxDecompressedSize = CompressionOptions::DefaultMaxDecompressedSize;

    bool operator==(const CompressionOptionsPrivate &o) const
    {
        return enabled == o.enabled && clientMaxWindowBits == o.clientMaxWindowBits
            && serverMaxWindowBits == o.serverMaxWindowBits
            && clientNoContextTakeover == o.clientNoContextTakeover
            && serverNoContextTakeover == o.serverNoContextTakeover && compressionLevel == o.compressionLevel
            && memoryLevel == o.memoryLevel && minimumSize == o.minimumSize
            && maxDecompressedSize == o.maxDecompressedSize;
    }
};

CompressionOptions::CompressionOptions() : d(sharedDefault<CompressionOptionsPrivate>()) { }
CompressionOptions::CompressionOptions(const CompressionOptions &other) = default;
CompressionOptions &CompressionOptions::operator=(const CompressionOptions &other) = default;
CompressionOptions::~CompressionOptions() = default;

CompressionOptions CompressionOptions::enabledDefaults()
{
    CompressionOptions options;
    options.setEnabled(true);
    return options;
}

bool CompressionOptions::isEnabled() const
{
    return d->enabled;
}
void CompressionOptions::setEnabled(bool on)
{
    d->enabled = on;
}
int CompressionOptions::clientMaxWindowBits() const
{
    return d->clientMaxWindowBits;
}
void CompressionOptions::setClientMaxWindowBits(int bits)
{
    d->clientMaxWindowBits = bits;
}
int CompressionOptions::serverMaxWindowBits() const
{
    return d->serverMaxWindowBits;
}
void CompressionOptions::setServerMaxWindowBits(int bits)
{
    d->serverMaxWindowBits = bits;
}
bool CompressionOptions::clientNoContextTakeover() const
{
    return d->clientNoContextTakeover;
}
void CompressionOptions::setClientNoContextTakeover(bool on)
{
    d->clientNoContextTakeover = on;
}
bool CompressionOptions::serverNoContextTakeover() const
{
    return d->serverNoContextTakeover;
}
void CompressionOptions::setServerNoContextTakeover(bool on)
{
    d->serverNoContextTakeover = on;
}
int CompressionOptions::compressionLevel() const
{
    return d->compressionLevel;
}
void CompressionOptions::setCompressionLevel(int level)
{
    d->compressionLevel = level;
}
int CompressionOptions::memoryLevel() const
{
    return d->memoryLevel;
}
void CompressionOptions::setMemoryLevel(int level)
{
    d->memoryLevel = level;
}
qint64 CompressionOptions::minimumSize() const
{
    return d->minimumSize;
}
void CompressionOptions::setMinimumSize(qint64 bytes)
{
    d->minimumSize = bytes;
}
qint64 CompressionOptions::maxDecompressedSize() const
{
    return d->maxDecompressedSize;
}
void CompressionOptions::setMaxDecompressedSize(qint64 bytes)
{
    d->maxDecompressedSize = bytes;
}

bool CompressionOptions::operator==(const CompressionOptions &other) const
{
    return d == other.d || *d == *other.d;
}

} // namespace WsClient
