#pragma once

// Private to tessera-cli: parsing one sub-command's arguments and small output helpers shared by the
// command files.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

namespace tessera::cli {

inline QString tr(const char *text)
{
    return QCoreApplication::translate("Cli", text);
}

inline QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

inline QString json(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

// A parser for one sub-command: `usage` is shown by --help and on errors.
struct Command
{
    QCommandLineParser parser;
    QString usage;

    explicit Command(QString usageLine)
        : usage(std::move(usageLine))
    {
        parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        parser.addOption({QStringLiteral("json"), tr("Print the result as JSON.")});
        parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, tr("Show this help.")});
    }
    void add(const QString &name, const QString &description, const QString &value = {})
    {
        parser.addOption(value.isEmpty() ? QCommandLineOption(name, description)
                                         : QCommandLineOption(name, description, value));
    }
    // `args` without the program name; the sub-command's own name is args[0].
    bool parse(const QStringList &args, QString *error)
    {
        if (!parser.parse(QStringList {QStringLiteral("tessera-cli")} + args.mid(1))) {
            *error = parser.errorText();
            return false;
        }
        return true;
    }
    bool isSet(const char *name) const { return parser.isSet(QString::fromLatin1(name)); }
    QString value(const char *name) const { return parser.value(QString::fromLatin1(name)); }
    QStringList positional() const { return parser.positionalArguments(); }
    QString helpText() const
    {
        QString text = parser.helpText();
        const qsizetype firstNewline = text.indexOf(QLatin1Char('\n'));
        return QStringLiteral("Usage: ") + usage + text.mid(firstNewline);
    }
};

// The value of an integer option, or nothing when it is absent. A value that is not a whole number
// sets `error` (the first such error is kept).
inline std::optional<int> intOption(const Command &cmd, const char *name, QString *error)
{
    if (!cmd.isSet(name))
        return std::nullopt;
    bool ok = false;
    const int v = cmd.value(name).toInt(&ok);
    if (ok)
        return v;
    if (error->isEmpty())
        *error = tr("--%1: \"%2\" is not a whole number").arg(QLatin1String(name), cmd.value(name));
    return std::nullopt;
}

} // namespace tessera::cli
