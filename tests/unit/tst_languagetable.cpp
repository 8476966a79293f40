#include "Language.h"

#include <QSet>
#include <QTest>

using cc::Language;
using cc::LanguageTable;

class TestLanguageTable : public QObject
{
    Q_OBJECT

private slots:
    void find_data();
    void find();
    void forFileName_data();
    void forFileName();
    void everyRowIsComplete();
    void namesAndAliasesAreUnambiguous();
    void namesForHelp();
};

void TestLanguageTable::find_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("language"); // empty: not found

    QTest::newRow("python") << "python"
                            << "python";
    QTest::newRow("py") << "py"
                        << "python";
    QTest::newRow("python3") << "python3"
                             << "python";
    QTest::newRow("PY") << "PY"
                        << "python";
    QTest::newRow("Python") << "Python"
                            << "python";
    QTest::newRow("padded") << "  python3 "
                            << "python";
    QTest::newRow("js") << "js"
                        << "node";
    QTest::newRow("javascript") << "javascript"
                                << "node";
    QTest::newRow("JavaScript") << "JavaScript"
                                << "node";
    QTest::newRow("node") << "node"
                          << "node";
    QTest::newRow("NODE") << "NODE"
                          << "node";
    QTest::newRow("mjs") << "mjs"
                         << "node";
    QTest::newRow("sh") << "sh"
                        << "bash";
    QTest::newRow("shell") << "shell"
                           << "bash";
    QTest::newRow("bash") << "bash"
                          << "bash";
    QTest::newRow("Bash") << "Bash"
                          << "bash";
    QTest::newRow("zsh") << "zsh"
                         << "bash";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("blank") << "   "
                           << "";
    QTest::newRow("ruby") << "ruby"
                          << "";
    QTest::newRow("pythonx") << "pythonx"
                             << "";
    QTest::newRow("prefix") << "pyth"
                            << "";
    QTest::newRow("display name") << "Python 3"
                                  << "";
}

void TestLanguageTable::find()
{
    QFETCH(QString, key);
    QFETCH(QString, language);
    const Language* found = LanguageTable::find(key);
    if (language.isEmpty()) {
        QVERIFY(found == nullptr);
        return;
    }
    QVERIFY(found != nullptr);
    QCOMPARE(found->name, language);
}

void TestLanguageTable::forFileName_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("language");

    QTest::newRow("x.py") << "x.py"
                          << "python";
    QTest::newRow("X.PY") << "X.PY"
                          << "python";
    QTest::newRow("path") << "/home/dev/src/tool.py"
                          << "python";
    QTest::newRow("relative path") << "scripts/build.sh"
                                   << "bash";
    QTest::newRow("a.js") << "a.js"
                          << "node";
    QTest::newRow("b.mjs") << "b.mjs"
                           << "node";
    QTest::newRow("c.cjs") << "c.cjs"
                           << "node";
    QTest::newRow("c.sh") << "c.sh"
                          << "bash";
    QTest::newRow("d.bash") << "d.bash"
                            << "bash";
    QTest::newRow("archive.tar.py") << "archive.tar.py"
                                    << "python";
    QTest::newRow("noext") << "noext"
                           << "";
    QTest::newRow("dot at end") << "main."
                                << "";
    QTest::newRow("x.rb") << "x.rb"
                          << "";
    QTest::newRow("x.pyc") << "x.pyc"
                           << "";
    QTest::newRow("py.txt") << "py.txt"
                            << "";
    QTest::newRow("empty") << ""
                           << "";
}

void TestLanguageTable::forFileName()
{
    QFETCH(QString, fileName);
    QFETCH(QString, language);
    const Language* found = LanguageTable::forFileName(fileName);
    if (language.isEmpty()) {
        QVERIFY(found == nullptr);
        return;
    }
    QVERIFY(found != nullptr);
    QCOMPARE(found->name, language);
}

void TestLanguageTable::everyRowIsComplete()
{
    const QList<Language>& all = LanguageTable::all();
    QVERIFY(all.size() >= 3);
    for (const Language& language : all) {
        QVERIFY(!language.name.isEmpty());
        QCOMPARE(language.name, language.name.toLower());
        QVERIFY2(!language.displayName.isEmpty(), qPrintable(language.name));
        QVERIFY2(!language.fileName.isEmpty(), qPrintable(language.name));
        QVERIFY2(!language.fileName.contains(QLatin1Char('/')), qPrintable(language.name));
        QVERIFY2(!language.command.isEmpty(), qPrintable(language.name));
        QVERIFY2(language.command.contains(language.fileName), qPrintable(language.name));
        QVERIFY2(!language.defaultImage.isEmpty(), qPrintable(language.name));
        QVERIFY2(!language.lexer.isEmpty(), qPrintable(language.name));
        QVERIFY2(!language.extensions.isEmpty(), qPrintable(language.name));
        // The snippet's own file name leads back to its language.
        const Language* byFile = LanguageTable::forFileName(language.fileName);
        QVERIFY2(byFile && byFile->name == language.name, qPrintable(language.fileName));
        const Language* byName = LanguageTable::find(language.name);
        QVERIFY(byName == &language);
        for (const QString& alias : language.aliases) {
            QCOMPARE(alias, alias.toLower());
            QVERIFY(LanguageTable::find(alias) == &language);
        }
    }
    QCOMPARE(LanguageTable::find(QStringLiteral("python"))->defaultImage, QString::fromLatin1(cc::kDefaultRunnerImage));
}

void TestLanguageTable::namesAndAliasesAreUnambiguous()
{
    QSet<QString> keys;
    QSet<QString> extensions;
    for (const Language& language : LanguageTable::all()) {
        QVERIFY2(!keys.contains(language.name), qPrintable(language.name));
        keys.insert(language.name);
    }
    for (const Language& language : LanguageTable::all()) {
        for (const QString& alias : language.aliases) {
            // Neither another language's name nor an alias already taken.
            QVERIFY2(!keys.contains(alias), qPrintable(alias));
            keys.insert(alias);
        }
        for (const QString& extension : language.extensions) {
            QVERIFY2(!extensions.contains(extension), qPrintable(extension));
            extensions.insert(extension);
        }
    }
}

void TestLanguageTable::namesForHelp()
{
    const QString help = LanguageTable::namesForHelp();
    for (const Language& language : LanguageTable::all())
        QVERIFY(help.contains(language.name));
    QCOMPARE(help.count(QStringLiteral(", ")), LanguageTable::all().size() - 1);
}

QTEST_GUILESS_MAIN(TestLanguageTable)
#include "tst_languagetable.moc"
