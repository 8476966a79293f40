// The output cap both backends share: byte-exact over every chunk, whatever the chunking.
#include "OutputCap.h"

#include <QTest>

using namespace cc;

class TestOutputCap : public QObject
{
    Q_OBJECT

private slots:
    void chunksUnderTheCapPassWhole();
    void exactlyTheCapIsNotOver();
    void theFirstByteOverIsTheFirstDropped_data();
    void theFirstByteOverIsTheFirstDropped();
    void nothingPassesOnceReached();
};

void TestOutputCap::chunksUnderTheCapPassWhole()
{
    OutputCap cap(10);
    QCOMPARE(cap.admit("abc"), QByteArray("abc"));
    QCOMPARE(cap.admit(""), QByteArray());
    QCOMPARE(cap.admit("defg"), QByteArray("defg"));
    QCOMPARE(cap.delivered(), qint64(7));
    QVERIFY(!cap.reached());
}

void TestOutputCap::exactlyTheCapIsNotOver()
{
    // A program that prints exactly the cap has not exceeded it.
    OutputCap cap(6);
    QCOMPARE(cap.admit("abc"), QByteArray("abc"));
    QCOMPARE(cap.admit("def"), QByteArray("def"));
    QVERIFY(!cap.reached());
    QCOMPARE(cap.delivered(), qint64(6));
    // The next byte is the one over.
    QCOMPARE(cap.admit("g"), QByteArray());
    QVERIFY(cap.reached());
    QCOMPARE(cap.delivered(), qint64(6));
}

void TestOutputCap::theFirstByteOverIsTheFirstDropped_data()
{
    QTest::addColumn<int>("chunkSize");
    for (int size : {1, 2, 3, 7, 64, 1000})
        QTest::newRow(qPrintable(QStringLiteral("chunks of %1").arg(size))) << size;
}

void TestOutputCap::theFirstByteOverIsTheFirstDropped()
{
    QFETCH(int, chunkSize);
    QByteArray all;
    for (int i = 0; i < 1000; ++i)
        all.append(char('a' + i % 26));
    OutputCap cap(333);
    QByteArray delivered;
    for (qsizetype pos = 0; pos < all.size() && !cap.reached(); pos += chunkSize)
        delivered += cap.admit(all.mid(pos, chunkSize));
    QVERIFY(cap.reached());
    QCOMPARE(delivered, all.left(333));
    QCOMPARE(cap.delivered(), qint64(333));
}

void TestOutputCap::nothingPassesOnceReached()
{
    OutputCap cap(2);
    QCOMPARE(cap.admit("abc"), QByteArray("ab"));
    QVERIFY(cap.reached());
    QCOMPARE(cap.admit("d"), QByteArray());
    QCOMPARE(cap.delivered(), qint64(2));
}

QTEST_APPLESS_MAIN(TestOutputCap)
#include "tst_outputcap.moc"
