#include <QTest>

class TestE2E : public QObject
{
    Q_OBJECT
};

QTEST_GUILESS_MAIN(TestE2E)
#include "tst_e2e_apixo.moc"
