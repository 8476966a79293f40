#pragma once

#include "ConnectEnvelopeDecoder.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace cc::e2b {

/// How envd says a process ended (Go's os.ProcessState). Fields missing from the JSON keep these
/// defaults, because protojson leaves out zero values ("exitCode":0 never appears).
struct ProcessEnd
{
    int exitCode = 0;
    bool exited = false;     ///< true: ended by exit(); false: by a signal
    QString status;          ///< "exit status 3", "signal: killed"
    QString error;

    /// The status a shell would report: the exit code, or 128 + N for signal N. std::nullopt when
    /// neither the fields nor the status text say.
    std::optional<int> shellStatus() const;
};

/// One event of process.Process/Start (or Connect).
struct ProcessEvent
{
    enum class Kind { Start, Stdout, Stderr, Pty, End, Keepalive };
    Kind kind = Kind::Keepalive;
    quint32 pid = 0;         ///< Start
    QByteArray data;         ///< Stdout, Stderr, Pty: the decoded bytes, never text
    ProcessEnd end;          ///< End
};

/// The error a Connect stream ended with (the end-stream envelope's "error").
struct ConnectError
{
    QString code;            ///< snake_case Connect code: "deadline_exceeded", "unavailable", ...
    QString message;
};

/// Reads the body of a process.Process/Start response (application/connect+json) as it arrives
/// and turns it into events: envelopes are decoded at any split, messages parsed as protojson
/// (lowerCamelCase or proto names, int64 as string or number), data base64-decoded to raw bytes.
/// Output is delivered as bytes, so a UTF-8 character split across two data messages reaches the
/// consumer whole once both arrived; nothing here decodes text.
class ProcessStreamReader
{
public:
    /// Returns the events that are now complete. After an error nothing more is returned.
    QList<ProcessEvent> feed(const QByteArray& bytes);

    /// A sentence when the stream broke the protocol or its JSON; empty otherwise.
    const QString& error() const { return m_error; }
    bool hasError() const { return !m_error.isEmpty(); }
    /// True once the end-stream envelope arrived.
    bool sawEndStream() const { return m_decoder.sawEndStream(); }
    /// The error carried by the end-stream envelope, if any.
    const std::optional<ConnectError>& trailerError() const { return m_trailerError; }
    bool sawStart() const { return m_sawStart; }
    /// True when the bytes stopped inside an envelope.
    bool isMidEnvelope() const { return m_decoder.isMidEnvelope(); }

private:
    void parseMessage(const QByteArray& message, QList<ProcessEvent>& events);
    void parseTrailer(const QByteArray& message);

    ConnectEnvelopeDecoder m_decoder;
    QString m_error;
    std::optional<ConnectError> m_trailerError;
    bool m_sawStart = false;
};

/// Parses a signal name as Go prints it in ProcessState.String() ("killed", "segmentation fault",
/// "signal 42"); 0 when unknown.
int signalFromGoName(const QString& name);

} // namespace cc::e2b
