#pragma once

// Builds tar archives byte by byte, as GNU tar writes them, so tests (and the fuzz target's
// round trip) can make any archive a sandbox could send: valid ones and every kind of malice.

#include <QByteArray>
#include <utility>

namespace cc::test {

/// One tar header block and what follows it. The setters return a copy so rows read as one
/// expression: TarEntry("a", '0', "x").posix("deep").corruptChecksum().
struct TarEntry
{
    TarEntry(QByteArray entryName, char entryType, QByteArray entryData = {}, QByteArray linkName = {})
        : name(std::move(entryName)), type(entryType), data(std::move(entryData)), link(std::move(linkName))
    {
    }

    /// ustar proper ("ustar\0" "00") with a prefix field, instead of GNU's "ustar  \0".
    TarEntry posix(const QByteArray& prefixField = {}) const
    {
        TarEntry e = *this;
        e.posixMagic = true;
        e.prefix = prefixField;
        return e;
    }
    TarEntry withDeclaredSize(qint64 size) const
    {
        TarEntry e = *this;
        e.declaredSize = size;
        return e;
    }
    TarEntry inBase256() const
    {
        TarEntry e = *this;
        e.base256Size = true;
        return e;
    }
    TarEntry withRawSizeField(const QByteArray& field) const
    {
        TarEntry e = *this;
        e.rawSizeField = field;
        return e;
    }
    TarEntry corruptChecksum() const
    {
        TarEntry e = *this;
        e.badChecksum = true;
        return e;
    }

    QByteArray name;              ///< the 100-byte name field (cut to 100 bytes)
    char type = '0';
    QByteArray data;
    QByteArray link;              ///< the 100-byte link name field
    QByteArray prefix;            ///< ustar prefix (only with posixMagic)
    bool posixMagic = false;
    qint64 declaredSize = -1;     ///< the size field; -1: data.size()
    bool base256Size = false;     ///< write the size in GNU's base-256 form
    QByteArray rawSizeField;      ///< if set: the 12 bytes of the size field as given
    bool badChecksum = false;
};

inline QByteArray tarPadding(qsizetype size)
{
    return QByteArray((512 - size % 512) % 512, '\0');
}

inline QByteArray tarHeader(const TarEntry& e)
{
    QByteArray h(512, '\0');
    auto put = [&h](int offset, const QByteArray& value, int length) {
        for (int i = 0; i < length && i < value.size(); ++i)
            h[offset + i] = value[i];
    };
    auto octal = [&put](int offset, qint64 value, int length) {
        put(offset, QByteArray::number(value, 8).rightJustified(length - 1, '0'), length - 1);
    };
    put(0, e.name, 100);
    octal(100, 0644, 8);
    octal(108, 65534, 8);
    octal(116, 65534, 8);
    const qint64 size = e.declaredSize >= 0 ? e.declaredSize : e.data.size();
    if (!e.rawSizeField.isEmpty()) {
        put(124, e.rawSizeField, 12);
    } else if (e.base256Size) {
        h[124] = char(0x80);
        for (int i = 0; i < 8; ++i)
            h[135 - i] = char((size >> (8 * i)) & 0xff);
    } else {
        octal(124, size, 12);
    }
    octal(136, 1700000000, 12);
    h[156] = e.type;
    put(157, e.link, 100);
    put(257, e.posixMagic ? QByteArray("ustar\0" "00", 8) : QByteArray("ustar  \0", 8), 8);
    put(265, "nobody", 32);
    put(297, "nogroup", 32);
    if (e.posixMagic)
        put(345, e.prefix, 155);
    put(148, "        ", 8);
    qint64 sum = 0;
    for (char c : h)
        sum += static_cast<unsigned char>(c);
    if (e.badChecksum)
        sum += 1;
    put(148, QByteArray::number(sum, 8).rightJustified(6, '0') + QByteArray("\0 ", 2), 8);
    return h;
}

/// A header, its data and the padding to the next block.
inline QByteArray tarEntry(const TarEntry& e)
{
    return tarHeader(e) + e.data + tarPadding(e.data.size());
}

inline QByteArray tarFile(const QByteArray& name, const QByteArray& data)
{
    return tarEntry(TarEntry(name, '0', data));
}

inline QByteArray tarDirectory(const QByteArray& name)
{
    return tarEntry(TarEntry(name, '5'));
}

/// A pax record "LEN key=value\n", LEN counting itself.
inline QByteArray paxRecord(const QByteArray& key, const QByteArray& value)
{
    const QByteArray body = ' ' + key + '=' + value + '\n';
    qsizetype length = body.size() + 1;
    while (QByteArray::number(length).size() + body.size() != length)
        ++length;
    return QByteArray::number(length) + body;
}

/// An entry whose real name travels in a GNU long-name ('L') entry before it, as GNU tar writes
/// names over 100 bytes.
inline QByteArray tarWithLongName(const QByteArray& name, const TarEntry& entry)
{
    const QByteArray longName = name + '\0';
    return tarEntry(TarEntry("././@LongLink", 'L', longName)) + tarEntry(entry);
}

/// An entry preceded by a pax extended header ('x') carrying the given records.
inline QByteArray tarWithPax(const QByteArray& records, const TarEntry& entry)
{
    return tarEntry(TarEntry("./PaxHeaders/x", 'x', records).posix()) + tarEntry(entry);
}

/// The end of an archive: two zero blocks.
inline QByteArray tarEnd()
{
    return QByteArray(1024, '\0');
}

} // namespace cc::test
