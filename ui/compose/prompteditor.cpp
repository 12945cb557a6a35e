#include "prompteditor.h"

#include <QKeyEvent>
#include <QMimeData>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QTextLayout>
#include <QUrl>

#include <algorithm>

namespace tessera::ui {

namespace {

constexpr int kMaxHistory = 200;

// Midjourney parameters (--ar 16:9, --no people) stand out from the words of the prompt.
class FlagHighlighter final : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override
    {
        static const QRegularExpression flag(
            QStringLiteral("(?:^|\\s)(--?[A-Za-z][\\w-]*)(?:\\s+([^\\s-][^\\s]*))?"));
        QTextCharFormat name;
        name.setForeground(QColor(0x2e, 0x86, 0xc1));
        name.setFontWeight(QFont::DemiBold);
        QTextCharFormat value;
        value.setForeground(QColor(0x8e, 0x44, 0xad));
        for (auto it = flag.globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            setFormat(static_cast<int>(m.capturedStart(1)), static_cast<int>(m.capturedLength(1)), name);
            if (m.capturedLength(2) > 0)
                setFormat(static_cast<int>(m.capturedStart(2)), static_cast<int>(m.capturedLength(2)), value);
        }
    }
};

// An image on the clipboard or in a drop: image data, or files and links whose names end like images.
bool holdsImages(const QMimeData *mime)
{
    if (!mime)
        return false;
    if (mime->hasImage())
        return true;
    if (!mime->hasUrls() || mime->urls().isEmpty())
        return false;
    static const QRegularExpression image(QStringLiteral("\\.(png|jpe?g|webp|gif)$"),
                                          QRegularExpression::CaseInsensitiveOption);
    for (const QUrl &url : mime->urls()) {
        if (!image.match(url.path()).hasMatch())
            return false;
    }
    return true;
}

} // namespace

PromptEditor::PromptEditor(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("Describe the image… e.g. a red fox in a snowy forest at dawn --ar 16:9"));
    setAccessibleName(tr("Prompt"));
    setTabChangesFocus(true);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    new FlagHighlighter(document());
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

QSize PromptEditor::sizeHint() const
{
    const int lines = 7;
    return {260, fontMetrics().lineSpacing() * lines + 2 * frameWidth() + 12};
}

void PromptEditor::setHistory(const QStringList &newestFirst)
{
    m_history = newestFirst.mid(0, kMaxHistory);
    m_position = -1;
}

void PromptEditor::remember(const QString &prompt)
{
    if (prompt.isEmpty())
        return;
    m_history.removeAll(prompt);
    m_history.prepend(prompt);
    if (m_history.size() > kMaxHistory)
        m_history.removeLast();
    m_position = -1;
}

void PromptEditor::recall(int delta)
{
    if (m_history.isEmpty())
        return;
    if (m_position == -1)
        m_draft = toPlainText();
    const int next = std::clamp(m_position + delta, -1, static_cast<int>(m_history.size()) - 1);
    if (next == m_position)
        return;
    m_position = next;
    setPlainText(m_position == -1 ? m_draft : m_history.at(m_position));
    moveCursor(QTextCursor::End);
}

void PromptEditor::keyPressEvent(QKeyEvent *event)
{
    const bool ctrlEnter = (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && (event->modifiers() & Qt::ControlModifier);
    if (ctrlEnter) {
        emit submitRequested();
        return;
    }
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        emit leaveRequested();
        return;
    }
    const QTextCursor cursor = textCursor();
    if (event->key() == Qt::Key_Up && event->modifiers() == Qt::NoModifier
        && cursor.block() == document()->firstBlock()
        && cursor.positionInBlock() <= cursor.block().layout()->lineAt(0).textLength()) {
        recall(+1);
        return;
    }
    if (event->key() == Qt::Key_Down && event->modifiers() == Qt::NoModifier && m_position >= 0
        && cursor.block() == document()->lastBlock()) {
        recall(-1);
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool PromptEditor::canInsertFromMimeData(const QMimeData *source) const
{
    return holdsImages(source) || QPlainTextEdit::canInsertFromMimeData(source);
}

void PromptEditor::insertFromMimeData(const QMimeData *source)
{
    if (holdsImages(source)) {
        emit imagesPasted(source);
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

} // namespace tessera::ui
