// Fuzzes readArtifactArchive (sandbox/ArtifactArchive.h): the tar stream of /workspace/out comes
// out of the sandbox, written by whatever the snippet left there. Whatever the bytes, what it
// collects must be safe to save (names that pass the shared checks, unique, no file where a folder
// must be), within the caps, and real: written back as a tar and read again, the same files come
// out. Reading only a prefix of the input collects a prefix of the same files.

#include "FuzzCheck.h"

#include "ArtifactArchive.h"
#include "TarBuilder.h"

#include <QByteArray>
#include <QSet>

using namespace cc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray tar(reinterpret_cast<const char*>(data), qsizetype(size));
    ccfuzz::SplitRng rng(data, size);
    ArtifactCaps caps;
    caps.maxFiles = int(rng.upTo(12));
    caps.maxBytes = qint64(rng.upTo(70'000));

    const ArtifactCollection c = readArtifactArchive(tar, caps);

    FUZZ_CHECK(c.files.size() <= caps.maxFiles);
    FUZZ_CHECK(c.refused.size() <= kMaxRefusedListed);
    qint64 total = 0;
    QSet<QString> paths;
    for (const Artifact& a : c.files) {
        FUZZ_CHECK(a.size == a.bytes.size());
        FUZZ_CHECK(a.size >= 0);
        total += a.size;
        FUZZ_CHECK(checkArtifactPath(a.path.toUtf8()).isEmpty());
        FUZZ_CHECK(QString::fromUtf8(a.path.toUtf8()) == a.path);
        FUZZ_CHECK(!paths.contains(a.path));
        paths.insert(a.path);
        FUZZ_CHECK(a.type == detectArtifactType(a.bytes));
    }
    FUZZ_CHECK(total <= caps.maxBytes);
    for (const Artifact& a : c.files)
        for (qsizetype slash = a.path.indexOf(QLatin1Char('/')); slash >= 0; slash = a.path.indexOf(QLatin1Char('/'), slash + 1))
            FUZZ_CHECK(!paths.contains(a.path.left(slash)));
    for (const RefusedArtifact& r : c.refused) {
        FUZZ_CHECK(!r.reason.isEmpty());
        FUZZ_CHECK(r.path.size() <= 201);
        for (QChar ch : r.path)
            FUZZ_CHECK(ch.unicode() >= 0x20 && ch.unicode() != 0x7f && !(ch.unicode() >= 0x80 && ch.unicode() <= 0x9f));
    }
    FUZZ_CHECK(c.refused.isEmpty() || !c.note.isEmpty());

    // Round trip: the collected files, written as GNU tar writes them, read back the same.
    QByteArray rebuilt;
    for (const Artifact& a : c.files) {
        const QByteArray name = a.path.toUtf8();
        rebuilt += name.size() <= 100 ? cc::test::tarFile(name, a.bytes)
                                      : cc::test::tarWithLongName(name, cc::test::TarEntry(name.left(100), '0', a.bytes));
    }
    rebuilt += cc::test::tarEnd();
    const ArtifactCollection again = readArtifactArchive(rebuilt, caps);
    FUZZ_CHECK(again.files.size() == c.files.size());
    FUZZ_CHECK(again.refused.isEmpty());
    FUZZ_CHECK(again.note.isEmpty());
    for (qsizetype i = 0; i < c.files.size(); ++i) {
        FUZZ_CHECK(again.files[i].path == c.files[i].path);
        FUZZ_CHECK(again.files[i].bytes == c.files[i].bytes);
    }

    // Entries are decided in order, from what came before: a prefix collects a prefix.
    const ArtifactCollection part = readArtifactArchive(tar.left(qsizetype(rng.upTo(size))), caps);
    FUZZ_CHECK(part.files.size() <= c.files.size());
    for (qsizetype i = 0; i < part.files.size(); ++i) {
        FUZZ_CHECK(part.files[i].path == c.files[i].path);
        FUZZ_CHECK(part.files[i].bytes == c.files[i].bytes);
    }
    return 0;
}
