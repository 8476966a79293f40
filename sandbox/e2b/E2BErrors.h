#pragma once

#include "ProcessStream.h"

#include <QByteArray>
#include <QString>

namespace cc::e2b {

/// E2B's error body, {"code": 404, "message": "...", "error_code"?: "..."} on the control plane and
/// envd's REST routes, {"code": "not_found", "message": "..."} on Connect unary calls. Text that is
/// not JSON ends up in message (shortened).
struct E2BErrorBody
{
    int code = 0;            ///< numeric code, 0 when absent or a string
    QString connectCode;     ///< string code of a Connect error
    QString message;
    QString errorCode;       ///< semantic "error_code", if any
};

E2BErrorBody parseErrorBody(const QByteArray& body);

/// Which control-plane call failed, for the sentence.
enum class ApiCall { CreateSandbox, KillSandbox, Probe, Other };

/// A sentence for a control-plane answer with status >= 400 (401 key rejected, 404 unknown
/// template, 429 rate limited, 5xx, ...). templateName is used for 404 on create.
QString describeApiError(int status, const QByteArray& body, ApiCall call, const QString& templateName = {});

/// A sentence for an envd answer with status >= 400; doing says what we tried ("copy main.py into
/// the sandbox"). 502 / "The sandbox was not found" means the sandbox is gone.
QString describeEnvdError(int status, const QByteArray& body, const QString& doing);

/// A sentence for the error a process stream ended with (not deadline_exceeded, which is the time
/// limit and not an error).
QString describeStreamError(const ConnectError& error);

/// A sentence for a transport failure (HttpReply::errorString()); service names the other end
/// ("the E2B API at api.e2b.app"). TLS failures say that verification stays on and what to check.
QString describeTransportError(const QString& httpError, const QString& service);

/// True when a body or status says the edge proxy no longer knows the sandbox.
bool isSandboxGone(int status, const QByteArray& body);

} // namespace cc::e2b
