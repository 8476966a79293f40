#include "ArtifactArchive.h"

#include "ArtifactCollector.h"
#include "VerdictDecider.h"

#include <limits>
#include <optional>

namespace cc {

namespace {

constexpr qint64 kBlock = 512;
/// Long names and pax headers larger than this are not names: refused, and skipped by size.
constexpr qint64 kMaxMetaBytes = 64 * 1024;

std::optional<qint64> parseNumber(const char* field, int length)
{
    const auto* u = reinterpret_cast<const unsigned char*>(field);
    if (u[0] & 0x80) {
        // GNU base-256: a positive number has exactly 0x80 in the first byte. 0xff is negative.
        if (u[0] != 0x80)
            return std::nullopt;
        qint64 value = 0;
        for (int i = 1; i < length; ++i) {
            if (value > (std::numeric_limits<qint64>::max() >> 8))
                return std::nullopt;
            value = (value << 8) | u[i];
        }
        return value;
    }
    int i = 0;
    while (i < length && u[i] == ' ')
        ++i;
    qint64 value = 0;
    bool digits = false;
    for (; i < length && u[i] >= '0' && u[i] <= '7'; ++i) {
        if (value > (std::numeric_limits<qint64>::max() >> 3))
            return std::nullopt;
        value = value * 8 + (u[i] - '0');
        digits = true;
    }
    for (; i < length; ++i)
        if (u[i] != ' ' && u[i] != '\0')
            return std::nullopt;
    if (!digits)
        return std::nullopt;
    return value;
}

QByteArray field(const char* header, int offset, int length)
{
    const char* start = header + offset;
    int n = 0;
    while (n < length && start[n] != '\0')
        ++n;
    return QByteArray(start, n);
}

bool checksumMatches(const char* header)
{
    const auto stored = parseNumber(header + 148, 8);
    if (!stored)
        return false;
    qint64 unsignedSum = 0;
    qint64 signedSum = 0;
    for (int i = 0; i < kBlock; ++i) {
        const bool inField = i >= 148 && i < 156;
        unsignedSum += inField ? ' ' : static_cast<unsigned char>(header[i]);
        signedSum += inField ? ' ' : static_cast<signed char>(header[i]);
    }
    // Some old tars summed signed chars; GNU tar accepts both, and so do we.
    return *stored == unsignedSum || *stored == signedSum;
}

bool allZero(const char* block)
{
    for (int i = 0; i < kBlock; ++i)
        if (block[i] != '\0')
            return false;
    return true;
}

/// pax extended header records: "LEN key=value\n", LEN counting the whole record.
struct PaxHeader
{
    std::optional<QByteArray> path;
    std::optional<QByteArray> linkPath;
    std::optional<qint64> size;
    bool sparse = false;
    QString problem;
};

PaxHeader parsePax(const QByteArray& data)
{
    PaxHeader pax;
    qsizetype pos = 0;
    while (pos < data.size()) {
        const qsizetype space = data.indexOf(' ', pos);
        if (space < 0 || space == pos || space - pos > 18) {
            pax.problem = QStringLiteral("Its pax header is malformed (a record without a length).");
            return pax;
        }
        bool ok = false;
        const qint64 length = data.mid(pos, space - pos).toLongLong(&ok);
        if (!ok || length <= space - pos + 1 || length > data.size() - pos || data.at(pos + length - 1) != '\n') {
            pax.problem = QStringLiteral("Its pax header is malformed (a record's length does not fit).");
            return pax;
        }
        const QByteArray record = data.mid(space + 1, pos + length - 1 - (space + 1));
        const qsizetype eq = record.indexOf('=');
        if (eq <= 0) {
            pax.problem = QStringLiteral("Its pax header is malformed (a record without a key).");
            return pax;
        }
        const QByteArray key = record.left(eq);
        const QByteArray value = record.mid(eq + 1);
        if (key == "path") {
            pax.path = value;
        } else if (key == "linkpath") {
            pax.linkPath = value;
        } else if (key == "size") {
            bool sizeOk = !value.isEmpty();
            for (char c : value)
                sizeOk = sizeOk && c >= '0' && c <= '9';
            const qint64 size = sizeOk && value.size() <= 18 ? value.toLongLong(&sizeOk) : -1;
            if (!sizeOk || size < 0) {
                pax.problem = QStringLiteral("Its pax header gives a size that is not a number.");
                return pax;
            }
            pax.size = size;
        } else if (key.startsWith("GNU.sparse.")) {
            pax.sparse = true;
        }
        pos += length;
    }
    return pax;
}

class Reader
{
public:
    Reader(const QByteArray& tar, const ArtifactCaps& caps) : m_tar(tar), m_collector(caps) {}

    ArtifactCollection read();

private:
    void refuse(const QByteArray& rawName, const QString& reason) { m_collector.refuse(rawName, reason); }

    const QByteArray& m_tar;
    ArtifactCollector m_collector;
    QStringList m_problems;
};

ArtifactCollection Reader::read()
{
    const qint64 total = m_tar.size();
    qint64 pos = 0;
    std::optional<QByteArray> longName;
    std::optional<QByteArray> longLink;
    std::optional<PaxHeader> pax;
    QString metaProblem;   // a long name or pax header that could not be used: refuses the next entry
    bool ended = false;
    while (pos < total) {
        if (total - pos < kBlock) {
            m_problems << QStringLiteral("The archive ends inside a header: it was cut short.");
            break;
        }
        const char* header = m_tar.constData() + pos;
        if (allZero(header)) {
            ended = true;
            break;
        }
        const QByteArray headerName = field(header, 0, 100);
        if (field(header, 257, 5) != "ustar") {
            m_problems << QStringLiteral("The entry at byte %1 is not a tar header: the rest was not read.").arg(pos);
            break;
        }
        if (!checksumMatches(header)) {
            refuse(headerName, QStringLiteral("Its header's checksum is wrong: it and everything after it were not read."));
            m_problems << QStringLiteral("A header's checksum is wrong (byte %1): the rest of the archive was not read.").arg(pos);
            break;
        }
        const char type = header[156];
        const bool fileLike = type == '0' || type == '\0' || type == '7';
        std::optional<qint64> size = parseNumber(header + 124, 12);
        if (!size) {
            refuse(headerName, QStringLiteral("Its size is not a number: it and everything after it were not read."));
            m_problems << QStringLiteral("A header's size is not a number (byte %1): the rest was not read.").arg(pos);
            break;
        }
        if (fileLike && pax && pax->size)
            size = pax->size;
        const qint64 dataStart = pos + kBlock;
        QByteArray name = headerName;
        // ustar proper ("ustar\0" "00") keeps a prefix; GNU's "ustar  \0" uses that space for other fields.
        if (QByteArray(header + 257, 8) == QByteArray("ustar\0" "00", 8)) {
            const QByteArray prefix = field(header, 345, 155);
            if (!prefix.isEmpty())
                name = prefix + '/' + name;
        }
        if (longName)
            name = *longName;
        if (pax && pax->path)
            name = *pax->path;
        if (*size > total - dataStart) {
            refuse(name, QStringLiteral("The archive ends inside it (it says %1): it was cut short.").arg(humanBytes(*size)));
            m_problems << QStringLiteral("The archive ends inside an entry: it was cut short.");
            break;
        }
        const qint64 padded = *size + (kBlock - *size % kBlock) % kBlock;
        const qint64 next = padded > total - dataStart ? total : dataStart + padded;
        const QByteArray data = type == 'L' || type == 'K' || type == 'x' || type == 'g'
                                    ? (*size <= kMaxMetaBytes ? m_tar.mid(dataStart, *size) : QByteArray())
                                    : QByteArray();
        pos = next;

        if (type == 'L' || type == 'K') {
            if (*size > kMaxMetaBytes) {
                metaProblem = QStringLiteral("Its GNU long name is larger than %1.").arg(humanBytes(kMaxMetaBytes));
                continue;
            }
            QByteArray value = data;
            // GNU tar ends the name with a NUL it counts in the size.
            if (value.endsWith('\0'))
                value.chop(1);
            (type == 'L' ? longName : longLink) = value;
            continue;
        }
        if (type == 'x') {
            if (*size > kMaxMetaBytes) {
                metaProblem = QStringLiteral("Its pax header is larger than %1.").arg(humanBytes(kMaxMetaBytes));
                pax.reset();
                continue;
            }
            pax = parsePax(data);
            if (!pax->problem.isEmpty())
                metaProblem = pax->problem;
            continue;
        }
        if (type == 'g') {
            const PaxHeader global = *size <= kMaxMetaBytes ? parsePax(data) : PaxHeader{};
            if (*size > kMaxMetaBytes || global.path || global.size || !global.problem.isEmpty()) {
                m_problems << QStringLiteral("A global pax header would change every later name or size: the rest "
                                             "of the archive was not read.");
                break;
            }
            continue;
        }

        // A real entry: the pending long name / pax header applied to it, and ends here.
        const QByteArray link = pax && pax->linkPath ? *pax->linkPath : longLink ? *longLink : field(header, 157, 100);
        const bool sparse = (pax && pax->sparse) || type == 'S';
        const QString pending = metaProblem;
        longName.reset();
        longLink.reset();
        pax.reset();
        metaProblem.clear();

        while (name.startsWith("./"))
            name.remove(0, 2);
        if ((name.isEmpty() || name == "." || name == "/") && type == '5')
            continue;  // the folder itself

        if (!pending.isEmpty()) {
            refuse(name, pending);
            continue;
        }
        if (sparse) {
            refuse(name, QStringLiteral("It is a sparse file; only plain files are collected."));
            continue;
        }
        switch (type) {
        case '0':
        case '\0':
        case '7':
            if (m_collector.admit(name, *size))
                m_collector.add(QString::fromUtf8(name), m_tar.mid(dataStart, *size));
            break;
        case '5':
            while (name.endsWith('/'))
                name.chop(1);
            m_collector.checkFolder(name);
            break;
        case '1':
            refuse(name, QStringLiteral("It is a hard link (to \"%1\"); only plain files are collected.").arg(printableName(link)));
            break;
        case '2':
            m_collector.refuseLink(name, link);
            break;
        case '3':
            refuse(name, QStringLiteral("It is a character device; only plain files are collected."));
            break;
        case '4':
            refuse(name, QStringLiteral("It is a block device; only plain files are collected."));
            break;
        case '6':
            refuse(name, QStringLiteral("It is a FIFO (named pipe); only plain files are collected."));
            break;
        default:
            refuse(name, QStringLiteral("It is a tar entry of type '%1', which is not a plain file.")
                             .arg(printableName(QByteArray(1, type))));
            break;
        }
    }
    if (!ended && m_problems.isEmpty() && total > 0)
        m_problems << QStringLiteral("The archive has no end marker: it may have been cut short.");
    return m_collector.finish(m_problems);
}

} // namespace

ArtifactCollection readArtifactArchive(const QByteArray& tar, const ArtifactCaps& caps)
{
    return Reader(tar, caps).read();
}

} // namespace cc
