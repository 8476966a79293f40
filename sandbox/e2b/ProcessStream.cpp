#include "ProcessStream.h"

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

namespace cc::e2b {

namespace {

using nlohmann::json;

// protojson accepts the lowerCamelCase JSON name and the proto field name.
const json* field(const json& object, const char* jsonName, const char* protoName = nullptr)
{
    if (!object.is_object())
        return nullptr;
    auto it = object.find(jsonName);
    if (it == object.end() && protoName)
        it = object.find(protoName);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Integers may come as numbers or (64-bit ones, and lenient writers) as strings.
std::optional<qint64> integerValue(const json* value)
{
    if (!value)
        return std::nullopt;
    if (value->is_number_integer())
        return value->get<qint64>();
    if (value->is_number_float()) {
        const double d = value->get<double>();
        // Converting a double outside qint64's range is undefined: compare the range first.
        if (d >= -0x1p63 && d < 0x1p63 && d == double(qint64(d)))
            return qint64(d);
        return std::nullopt;
    }
    if (value->is_string()) {
        bool ok = false;
        const qint64 n = QString::fromStdString(value->get<std::string>()).toLongLong(&ok);
        return ok ? std::optional<qint64>(n) : std::nullopt;
    }
    return std::nullopt;
}

std::optional<bool> boolValue(const json* value)
{
    if (!value)
        return std::nullopt;
    if (value->is_boolean())
        return value->get<bool>();
    return std::nullopt;
}

QString stringValue(const json* value)
{
    return value && value->is_string() ? QString::fromStdString(value->get<std::string>()) : QString();
}

// protojson bytes: standard base64, padded; the parser also takes the URL-safe alphabet.
std::optional<QByteArray> bytesValue(const json* value)
{
    if (!value)
        return QByteArray();
    if (!value->is_string())
        return std::nullopt;
    const QByteArray text = QByteArray::fromStdString(value->get<std::string>());
    auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        decoded = QByteArray::fromBase64Encoding(text, QByteArray::Base64UrlEncoding
                                                           | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

} // namespace

std::optional<int> ProcessEnd::shellStatus() const
{
    if (exited)
        return exitCode;
    // "signal: killed", "signal: segmentation fault (core dumped)"
    static const QLatin1String prefix("signal: ");
    if (status.startsWith(prefix)) {
        QString name = status.mid(prefix.size()).trimmed();
        if (name.endsWith(QLatin1String("(core dumped)")))
            name = name.chopped(int(QLatin1String("(core dumped)").size())).trimmed();
        if (const int signal = signalFromGoName(name); signal > 0)
            return 128 + signal;
    }
    // Neither a clean exit nor a signal envd could name, yet a real code: trust it.
    if (exitCode > 0)
        return exitCode;
    return std::nullopt;
}

int signalFromGoName(const QString& name)
{
    // Go's syscall signal table (linux), which ProcessState.String() prints.
    static const std::array<std::pair<const char*, int>, 31> names{{
        {"hangup", 1},
        {"interrupt", 2},
        {"quit", 3},
        {"illegal instruction", 4},
        {"trace/breakpoint trap", 5},
        {"aborted", 6},
        {"bus error", 7},
        {"floating point exception", 8},
        {"killed", 9},
        {"user defined signal 1", 10},
        {"segmentation fault", 11},
        {"user defined signal 2", 12},
        {"broken pipe", 13},
        {"alarm clock", 14},
        {"terminated", 15},
        {"stack fault", 16},
        {"child exited", 17},
        {"continued", 18},
        {"stopped (signal)", 19},
        {"stopped", 20},
        {"stopped (tty input)", 21},
        {"stopped (tty output)", 22},
        {"urgent I/O condition", 23},
        {"CPU time limit exceeded", 24},
        {"file size limit exceeded", 25},
        {"virtual timer expired", 26},
        {"profiling timer expired", 27},
        {"window changed", 28},
        {"I/O possible", 29},
        {"power failure", 30},
        {"bad system call", 31},
    }};
    const QString trimmed = name.trimmed();
    for (const auto& [text, number] : names) {
        if (trimmed.compare(QLatin1String(text), Qt::CaseInsensitive) == 0)
            return number;
    }
    // Go names signals it has no text for "signal 42".
    if (trimmed.startsWith(QLatin1String("signal "))) {
        bool ok = false;
        const int number = trimmed.mid(7).toInt(&ok);
        if (ok && number > 0 && number < 128)
            return number;
    }
    return 0;
}

QList<ProcessEvent> ProcessStreamReader::feed(const QByteArray& bytes)
{
    QList<ProcessEvent> events;
    if (hasError())
        return events;
    const auto envelopes = m_decoder.feed(bytes);
    for (const auto& envelope : envelopes) {
        if (envelope.isEndStream())
            parseTrailer(envelope.message);
        else
            parseMessage(envelope.message, events);
        if (hasError())
            return events;
    }
    if (m_decoder.hasError())
        m_error = QStringLiteral("The process stream broke the Connect protocol: %1.").arg(m_decoder.error());
    return events;
}

void ProcessStreamReader::parseMessage(const QByteArray& message, QList<ProcessEvent>& events)
{
    const json doc = json::parse(message.constBegin(), message.constEnd(), nullptr, false);
    if (!doc.is_object()) {
        m_error = QStringLiteral("The process stream carried a message that is not a JSON object.");
        return;
    }
    const json* event = field(doc, "event");
    if (!event)
        return;  // an empty message: nothing happened
    if (!event->is_object()) {
        m_error = QStringLiteral("The process stream carried an event that is not a JSON object.");
        return;
    }
    auto requireStart = [this](const char* what) {
        if (m_sawStart)
            return true;
        m_error = QStringLiteral("The process stream sent %1 before the program's start event.").arg(QLatin1String(what));
        return false;
    };

    if (const json* start = field(*event, "start")) {
        const auto pid = integerValue(field(*start, "pid"));
        if (!start->is_object() || (field(*start, "pid") && !pid)) {
            m_error = QStringLiteral("The process stream's start event is malformed.");
            return;
        }
        m_sawStart = true;
        ProcessEvent e;
        e.kind = ProcessEvent::Kind::Start;
        e.pid = quint32(pid.value_or(0));
        events.append(e);
    } else if (const json* data = field(*event, "data")) {
        if (!requireStart("output"))
            return;
        if (!data->is_object()) {
            m_error = QStringLiteral("The process stream's data event is malformed.");
            return;
        }
        static const std::array<std::pair<const char*, ProcessEvent::Kind>, 3> streams{{
            {"stdout", ProcessEvent::Kind::Stdout},
            {"stderr", ProcessEvent::Kind::Stderr},
            {"pty", ProcessEvent::Kind::Pty},
        }};
        for (const auto& [name, kind] : streams) {
            const json* value = field(*data, name);
            if (!value)
                continue;
            const auto bytes = bytesValue(value);
            if (!bytes) {
                m_error = QStringLiteral("The process stream's %1 data is not valid base64.").arg(QLatin1String(name));
                return;
            }
            ProcessEvent e;
            e.kind = kind;
            e.data = *bytes;
            events.append(e);
        }
    } else if (const json* end = field(*event, "end")) {
        if (!requireStart("the end event"))
            return;
        if (!end->is_object()) {
            m_error = QStringLiteral("The process stream's end event is malformed.");
            return;
        }
        ProcessEvent e;
        e.kind = ProcessEvent::Kind::End;
        const json* code = field(*end, "exitCode", "exit_code");
        const auto exitCode = integerValue(code);
        const json* exited = field(*end, "exited");
        if ((code && !exitCode) || (exited && !boolValue(exited))) {
            m_error = QStringLiteral("The process stream's end event is malformed.");
            return;
        }
        e.end.exitCode = int(exitCode.value_or(0));
        e.end.exited = boolValue(exited).value_or(false);
        e.end.status = stringValue(field(*end, "status"));
        e.end.error = stringValue(field(*end, "error"));
        events.append(e);
    } else if (field(*event, "keepalive")) {
        ProcessEvent e;
        e.kind = ProcessEvent::Kind::Keepalive;
        events.append(e);
    }
    // Unknown event kinds are ignored, as protojson ignores unknown fields.
}

void ProcessStreamReader::parseTrailer(const QByteArray& message)
{
    const json doc = json::parse(message.constBegin(), message.constEnd(), nullptr, false);
    if (!doc.is_object()) {
        m_error = QStringLiteral("The process stream's end-of-stream message is not a JSON object.");
        return;
    }
    if (const json* error = field(doc, "error")) {
        ConnectError e;
        e.code = stringValue(field(*error, "code"));
        e.message = stringValue(field(*error, "message"));
        if (e.code.isEmpty())
            e.code = QStringLiteral("unknown");
        m_trailerError = e;
    }
}

} // namespace cc::e2b
