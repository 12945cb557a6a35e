#include <QTest>

class TestAdapter : public QObject
{
    Q_OBJECT
};

QTEST_GUILESS_MAIN(TestAdapter)
#include "tst_apixoadapter.moc"
