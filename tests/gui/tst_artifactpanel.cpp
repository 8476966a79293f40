// The Artifacts tab of the window: what a real run (Docker engine) left in /workspace/out, listed,
// previewed and saved as a person would, with the dialogs answered through the Prompter.
#include "ArtifactPanel.h"
#include "ArtifactPreview.h"
#include "CodeEditor.h"
#include "DockerTestSupport.h"
#include "WindowTestSupport.h"
#include "http/HttpClient.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace cc;

namespace {

// Writes one file of each type (the PNG by hand: the image has no third-party modules) and a link,
// which the engine refuses.
const char* const kWriter = R"PY(import os, struct, zlib
out = '/workspace/out'
with open(out + '/report.txt', 'w', encoding='utf-8') as f:
    f.write('Report' + chr(10) + 'three lines, one with é' + chr(10) + 'end' + chr(10))
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
w, h = 160, 100
rows = b''.join(bytes(1) + b''.join(bytes([x * 255 // w, y * 255 // h, 180]) for x in range(w)) for y in range(h))
png = (bytes([137, 80, 78, 71, 13, 10, 26, 10]) + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
       + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
with open(out + '/plot.png', 'wb') as f:
    f.write(png)
with open(out + '/figure.svg', 'w') as f:
    # (attribute quotes from chr(34): moc reads this file, and double quotes here confuse it)
    svg = '<svg xmlns=@http://www.w3.org/2000/svg@ width=@120@ height=@80@><rect width=@120@ height=@80@ fill=@#00ff00@/></svg>'
    f.write(svg.replace('@', chr(34)))
with open(out + '/data.bin', 'wb') as f:
    f.write(bytes(range(256)))
os.symlink('/etc/passwd', out + '/passwd')
print('written')
)PY";

quint32 crc32(const QByteArray& bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char c : bytes) {
        crc ^= uchar(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const QByteArray& kind, const QByteArray& data)
{
    QByteArray out;
    QDataStream stream(&out, QIODevice::WriteOnly);
    stream << quint32(data.size());
    out += kind + data;
    QByteArray crc;
    QDataStream crcStream(&crc, QIODevice::WriteOnly);
    crcStream << crc32(kind + data);
    return out + crc;
}

} // namespace

class TestArtifactPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void listsArtifactsWithTypesAndRefusals();
    void previewsTextPngAndSvg();
    void saveAsWritesTheSameBytesAndAsksBeforeReplacing();
    void saveAllWritesEveryArtifact();
    void aNewRunClearsTheList();
    void markupInANameStaysLiteral();
    void previewCapsHostileBytes();

private:
    RunResult runSnippet(const QString& code);
    /// Selects the artifact listed under this name; false when it is not listed.
    bool select(const QString& name);
    const Artifact* artifactNamed(const RunResult& result, const QString& name);
    static QByteArray readFile(const QString& path);
    template <typename T> T* child(const char* name) { return test::namedChild<T>(m_ui.window(), name); }

    http::HttpClient m_http;
    docker::DockerBackend* m_backend = nullptr;
    QTemporaryDir m_root;
    std::unique_ptr<QTemporaryDir> m_saveDir;
    test::TestWindow m_ui;
    QString m_savePath;          // what the file dialog answers
    bool m_replaceAnswer = false;
    int m_replaceQuestions = 0;
    QStringList m_informed;
};

void TestArtifactPanel::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_backend = new docker::DockerBackend(&m_http, docker::DockerEndpoint::fromEnvironment(), this);
    QString why;
    if (!test::engineReady(*m_backend->api(), &why))
        QFAIL(qPrintable(why));
}

void TestArtifactPanel::init()
{
    const QString state = m_root.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    m_saveDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_saveDir->isValid());
    m_savePath.clear();
    m_replaceAnswer = false;
    m_replaceQuestions = 0;
    m_informed.clear();
    Prompter prompter;
    prompter.confirm = [](const QString&, const QString&) { return false; };
    prompter.chooseNewFile = [this](const QString&, const QString&) { return m_savePath; };
    prompter.confirmReplace = [this](const QString&, const QString&) {
        ++m_replaceQuestions;
        return m_replaceAnswer;
    };
    prompter.chooseFolder = [this](const QString&) { return m_saveDir->path(); };
    prompter.inform = [this](const QString&, const QString& message) { m_informed << message; };
    QVERIFY(m_ui.open(m_backend, state, prompter));
    // As a person would: the tab beside the output.
    auto* tabs = child<QTabWidget>("runTabs");
    QVERIFY(tabs);
    tabs->setCurrentWidget(m_ui.window()->artifactPanel());
}

void TestArtifactPanel::cleanup()
{
    m_ui.close();
}

RunResult TestArtifactPanel::runSnippet(const QString& code)
{
    m_ui.session()->setLanguage(QStringLiteral("python"));
    m_ui.window()->editor()->setText(code);
    return test::clickRunAndWait(*m_ui.window());
}

bool TestArtifactPanel::select(const QString& name)
{
    auto* list = child<QTreeWidget>("artifactList");
    const QList<QTreeWidgetItem*> found = list->findItems(name, Qt::MatchExactly, 0);
    if (found.size() != 1)
        return false;
    list->setCurrentItem(found.first());
    return true;
}

const Artifact* TestArtifactPanel::artifactNamed(const RunResult& result, const QString& name)
{
    for (const Artifact& artifact : result.artifacts)
        if (artifact.path == name)
            return &artifact;
    return nullptr;
}

QByteArray TestArtifactPanel::readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void TestArtifactPanel::listsArtifactsWithTypesAndRefusals()
{
    const RunResult result = runSnippet(QString::fromUtf8(kWriter));
    QCOMPARE(verdictName(result.verdict), QStringLiteral("ok"));
    auto* list = child<QTreeWidget>("artifactList");
    QCOMPARE(list->topLevelItemCount(), 4);
    QMap<QString, QString> types;
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        types.insert(list->topLevelItem(i)->text(0), list->topLevelItem(i)->text(2));
    const QMap<QString, QString> expected{{QStringLiteral("report.txt"), QStringLiteral("text")},
                                          {QStringLiteral("plot.png"), QStringLiteral("png")},
                                          {QStringLiteral("figure.svg"), QStringLiteral("svg")},
                                          {QStringLiteral("data.bin"), QStringLiteral("other")}};
    QCOMPARE(types, expected);
    // The size column says how big, as the rest of the window does.
    const QList<QTreeWidgetItem*> bin = list->findItems(QStringLiteral("data.bin"), Qt::MatchExactly, 0);
    QCOMPARE(bin.first()->text(1), QStringLiteral("256 bytes"));

    auto* refused = child<QTreeWidget>("refusedArtifactList");
    QVERIFY(refused->isVisible());
    QCOMPARE(refused->topLevelItemCount(), 1);
    QCOMPARE(refused->topLevelItem(0)->text(0), QStringLiteral("passwd"));
    QVERIFY2(refused->topLevelItem(0)->text(1).contains(QLatin1String("symbolic link")),
             qPrintable(refused->topLevelItem(0)->text(1)));
    auto* note = child<QLabel>("artifactNote");
    QCOMPARE(note->text(), result.artifactsNote);
    QCOMPARE(note->isVisible(), !result.artifactsNote.isEmpty());

    auto* tabs = child<QTabWidget>("runTabs");
    QCOMPARE(tabs->tabText(tabs->indexOf(m_ui.window()->artifactPanel())), QStringLiteral("Artifacts (4) · 1 refused"));
}

void TestArtifactPanel::previewsTextPngAndSvg()
{
    const RunResult result = runSnippet(QString::fromUtf8(kWriter));
    QCOMPARE(result.artifacts.size(), 4);
    auto* preview = child<ArtifactPreview>("artifactPreview");
    auto* text = child<QPlainTextEdit>("artifactText");

    QVERIFY(select(QStringLiteral("report.txt")));
    QCOMPARE(preview->kind(), ArtifactPreview::Kind::Text);
    QCOMPARE(text->toPlainText(), QStringLiteral("Report\nthree lines, one with é\nend\n"));
    QVERIFY(text->isReadOnly());

    QVERIFY(select(QStringLiteral("plot.png")));
    QCOMPARE(preview->kind(), ArtifactPreview::Kind::Image);
    QCOMPARE(preview->image().size(), QSize(160, 100));
    // The pixels are the ones the snippet wrote: a gradient over a constant blue.
    QCOMPARE(QColor(preview->image().pixel(0, 0)), QColor(0, 0, 180));
    QCOMPARE(QColor(preview->image().pixel(159, 99)), QColor(253, 252, 180));
    QVERIFY(child<QLabel>("artifactImage")->isVisible());
    QVERIFY(child<QLabel>("artifactPreviewNote")->text().contains(QStringLiteral("160 × 100 pixels")));

    QVERIFY(select(QStringLiteral("figure.svg")));
    QCOMPARE(preview->kind(), ArtifactPreview::Kind::Image);
    QCOMPARE(preview->image().size(), QSize(120, 80));
    QCOMPARE(QColor(preview->image().pixel(60, 40)), QColor(0, 255, 0));

    QVERIFY(select(QStringLiteral("data.bin")));
    QCOMPARE(preview->kind(), ArtifactPreview::Kind::Hex);
    QVERIFY(text->toPlainText().startsWith(QLatin1String("00000000  00 01 02 03")));
}

void TestArtifactPanel::saveAsWritesTheSameBytesAndAsksBeforeReplacing()
{
    const RunResult result = runSnippet(QString::fromUtf8(kWriter));
    const Artifact* png = artifactNamed(result, QStringLiteral("plot.png"));
    QVERIFY(png);
    QVERIFY(png->bytes.startsWith("\x89PNG"));
    QVERIFY(select(QStringLiteral("plot.png")));
    m_savePath = m_saveDir->filePath(QStringLiteral("chart.png"));
    child<QPushButton>("saveArtifactButton")->click();
    QCOMPARE(readFile(m_savePath), png->bytes);
    QCOMPARE(m_replaceQuestions, 0);
    QVERIFY(m_informed.isEmpty());

    // Over an existing file: asked; declined leaves it as it was.
    QVERIFY(select(QStringLiteral("report.txt")));
    {
        QFile existing(m_savePath);
        QVERIFY(existing.open(QIODevice::WriteOnly | QIODevice::Truncate));
        existing.write("mine, keep me");
    }
    m_replaceAnswer = false;
    child<QPushButton>("saveArtifactButton")->click();
    QCOMPARE(m_replaceQuestions, 1);
    QCOMPARE(readFile(m_savePath), QByteArray("mine, keep me"));
    QVERIFY(child<QLabel>("artifactStatus")->text().contains(QLatin1String("left as it is")));
    // Agreed: replaced, whole.
    m_replaceAnswer = true;
    child<QPushButton>("saveArtifactButton")->click();
    QCOMPARE(m_replaceQuestions, 2);
    QCOMPARE(readFile(m_savePath), artifactNamed(result, QStringLiteral("report.txt"))->bytes);

    // A link where the file would go is never replaced nor followed, whatever the answer.
    const QString victim = m_saveDir->filePath(QStringLiteral("victim.txt"));
    {
        QFile file(victim);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("victim");
    }
    const QString link = m_saveDir->filePath(QStringLiteral("link.txt"));
    QVERIFY(QFile::link(victim, link));
    m_savePath = link;
    child<QPushButton>("saveArtifactButton")->click();
    QCOMPARE(readFile(victim), QByteArray("victim"));
    QVERIFY(QFileInfo(link).isSymLink());
    QCOMPARE(m_informed.size(), 1);
    QCOMPARE(m_replaceQuestions, 2);
}

void TestArtifactPanel::saveAllWritesEveryArtifact()
{
    const RunResult result = runSnippet(QString::fromUtf8(kWriter));
    QCOMPARE(result.artifacts.size(), 4);
    child<QPushButton>("saveAllArtifactsButton")->click();
    for (const Artifact& artifact : result.artifacts)
        QCOMPARE(readFile(m_saveDir->filePath(artifact.path)), artifact.bytes);
    QVERIFY(!QFileInfo(m_saveDir->filePath(QStringLiteral("passwd"))).exists());
    QVERIFY(!QFileInfo(m_saveDir->filePath(QStringLiteral("passwd"))).isSymLink());
    QCOMPARE(m_replaceQuestions, 0);
    QVERIFY(child<QLabel>("artifactStatus")->text().startsWith(QLatin1String("Saved 4 files")));

    // Again into the same folder after a change by hand: asked once; declined keeps the change and
    // still counts the files as not saved.
    const QString report = m_saveDir->filePath(QStringLiteral("report.txt"));
    {
        QFile file(report);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("edited");
    }
    child<QPushButton>("saveAllArtifactsButton")->click();
    QCOMPARE(m_replaceQuestions, 1);
    QCOMPARE(readFile(report), QByteArray("edited"));
    QCOMPARE(m_informed.size(), 1);
    m_replaceAnswer = true;
    child<QPushButton>("saveAllArtifactsButton")->click();
    QCOMPARE(m_replaceQuestions, 2);
    QCOMPARE(readFile(report), artifactNamed(result, QStringLiteral("report.txt"))->bytes);
}

void TestArtifactPanel::aNewRunClearsTheList()
{
    QCOMPARE(runSnippet(QString::fromUtf8(kWriter)).artifacts.size(), 4);
    auto* list = child<QTreeWidget>("artifactList");
    QVERIFY(select(QStringLiteral("plot.png")));
    QCOMPARE(list->topLevelItemCount(), 4);

    int listedWhenStarted = -1;
    connect(m_ui.session(), &RunSession::runStarted, this, [&] { listedWhenStarted = list->topLevelItemCount(); });
    const RunResult second = runSnippet(QStringLiteral("print('nothing this time')\n"));
    QCOMPARE(verdictName(second.verdict), QStringLiteral("ok"));
    QCOMPARE(listedWhenStarted, 0);
    QCOMPARE(list->topLevelItemCount(), 0);
    QCOMPARE(child<QTreeWidget>("refusedArtifactList")->topLevelItemCount(), 0);
    QVERIFY(!child<QTreeWidget>("refusedArtifactList")->isVisible());
    QCOMPARE(child<ArtifactPreview>("artifactPreview")->kind(), ArtifactPreview::Kind::None);
    QVERIFY(!child<QPushButton>("saveAllArtifactsButton")->isEnabled());
    auto* tabs = child<QTabWidget>("runTabs");
    QCOMPARE(tabs->tabText(tabs->indexOf(m_ui.window()->artifactPanel())), QStringLiteral("Artifacts"));
}

void TestArtifactPanel::markupInANameStaysLiteral()
{
    // "</b>" holds a slash: a folder "<b>bold<" with a file "b>.txt" in it.
    const RunResult result = runSnippet(QStringLiteral(
        "import os\nos.makedirs('/workspace/out/<b>bold<')\n"
        "open('/workspace/out/<b>bold</b>.txt', 'w').write('<i>not italic</i>')\n"));
    QCOMPARE(verdictName(result.verdict), QStringLiteral("ok"));
    const QString name = QStringLiteral("<b>bold</b>.txt");
    QVERIFY(select(name));
    auto* note = child<QLabel>("artifactPreviewNote");
    QCOMPARE(note->textFormat(), Qt::PlainText);
    QVERIFY2(note->text().startsWith(name), qPrintable(note->text()));
    QCOMPARE(child<QPlainTextEdit>("artifactText")->toPlainText(), QStringLiteral("<i>not italic</i>"));
    // Saved under its own folders, by name, as written.
    child<QPushButton>("saveAllArtifactsButton")->click();
    QCOMPARE(readFile(m_saveDir->filePath(name)), QByteArray("<i>not italic</i>"));
}

void TestArtifactPanel::previewCapsHostileBytes()
{
    ArtifactPreview preview;
    preview.resize(600, 400);
    auto* text = preview.findChild<QPlainTextEdit*>(QStringLiteral("artifactText"));
    auto* note = preview.findChild<QLabel*>(QStringLiteral("artifactPreviewNote"));
    QVERIFY(text && note);

    // Invalid UTF-8 shows as replacement characters, nothing else.
    preview.showArtifact({QStringLiteral("bad.txt"), 3, QByteArray("a\xff" "b"), ArtifactType::Text});
    QCOMPARE(text->toPlainText(), QStringLiteral("a\uFFFDb"));

    // Only the first MiB of text, cut between characters, and the note says so.
    QByteArray big;
    while (big.size() < 3 * 1024 * 1024)
        big += "\xc3\xa9 and more text\n";  // a two-byte character at each line's start
    preview.showArtifact({QStringLiteral("big.txt"), big.size(), big, ArtifactType::Text});
    QVERIFY(text->toPlainText().toUtf8().size() <= ArtifactPreview::kMaxTextBytes);
    QVERIFY(text->toPlainText().toUtf8().size() > ArtifactPreview::kMaxTextBytes - 4);
    QVERIFY(!text->toPlainText().contains(QChar(0xFFFD)));
    QVERIFY2(note->text().contains(QLatin1String("showing the first 1 MiB")), qPrintable(note->text()));

    // A PNG header announcing 100000 × 100000 pixels: refused from the header, nothing decoded.
    QByteArray header;
    QDataStream stream(&header, QIODevice::WriteOnly);
    stream << quint32(100'000) << quint32(100'000) << quint8(8) << quint8(2) << quint8(0) << quint8(0) << quint8(0);
    const QByteArray huge = QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", header) +
                           pngChunk("IDAT", QByteArray(16, '\0')) + pngChunk("IEND", {});
    preview.showArtifact({QStringLiteral("huge.png"), huge.size(), huge, ArtifactType::Png});
    QCOMPARE(preview.kind(), ArtifactPreview::Kind::Refused);
    QVERIFY2(text->toPlainText().contains(QStringLiteral("100000 × 100000")), qPrintable(text->toPlainText()));
    QVERIFY(preview.image().isNull());

    // An SVG pointing at a file of this computer is not rendered.
    const QByteArray svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                           "width=\"10\" height=\"10\"><image xlink:href=\"/usr/share/pixmaps/debian-logo.png\" "
                           "width=\"10\" height=\"10\"/></svg>";
    preview.showArtifact({QStringLiteral("peek.svg"), svg.size(), svg, ArtifactType::Svg});
    QCOMPARE(preview.kind(), ArtifactPreview::Kind::Refused);
    QVERIFY2(text->toPlainText().contains(QLatin1String("outside itself")), qPrintable(text->toPlainText()));
    // Internal references and data: URIs are fine.
    QVERIFY(ArtifactPreview::svgProblem("<svg xmlns=\"http://www.w3.org/2000/svg\"><defs><rect id=\"r\"/></defs>"
                                        "<use href=\"#r\"/></svg>")
                .isEmpty());
    const QByteArray entities = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaa\">]>"
                                "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&a;</text></svg>";
    QVERIFY(!ArtifactPreview::svgProblem(entities).isEmpty());
}

QTEST_MAIN(TestArtifactPanel)
#include "tst_artifactpanel.moc"
