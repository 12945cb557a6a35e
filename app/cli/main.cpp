// tessera-cli: composition root. Builds the core over the standard data locations and runs one command.
#include "cli.h"
#include "storage/paths.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    tessera::setApplicationIdentity();
    QTextStream out(stdout);
    QTextStream err(stderr);
    tessera::AppCore::Options options;
    options.paths = tessera::AppPaths::standard();
    tessera::cli::Cli cli(out, err, options);
    return cli.run(QCoreApplication::arguments());
}
