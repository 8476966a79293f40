#include "UserGuide.h"

#include "ResourceMonitor.h"
#include "RunResult.h"

#include <QCoreApplication>

namespace cc {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("cc::UserGuide", text);
}

QString row(const QString& name, const QString& text)
{
    return QStringLiteral("<tr><td style='padding:3px 12px 3px 0'><b>%1</b></td><td style='padding:3px 0'>%2</td></tr>")
        .arg(name, text);
}

QString verdictText(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Ok:
        return tr("The program ended by itself with exit status 0.");
    case Verdict::ExitNonzero:
        return tr("The program ended by itself with another status, or crashed: its error output usually says why. "
                  "No limit stopped it.");
    case Verdict::Timeout:
        return tr("It ran longer than the time limit, so the sandbox was killed. Endless loops and programs that wait "
                  "for input end here.");
    case Verdict::MemoryLimit:
        return tr("It asked for more memory than the memory limit and the kernel killed it.");
    case Verdict::OutputLimit:
        return tr("It printed more than the output limit; the rest was cut off and the sandbox was killed.");
    case Verdict::PidsLimit:
        return tr("It tried to start more processes than the process limit allows (a fork bomb ends here).");
    case Verdict::Cancelled:
        return tr("You stopped it (Stop or Esc).");
    case Verdict::BackendError:
        return tr("The sandbox could not run the program: Docker or E2B is unreachable, the image is missing, the key "
                  "is wrong… The sentence on the card says what to do.");
    }
    return {};
}

} // namespace

QString UserGuide::html()
{
    QString grants =
        row(tr("Network"), tr("Off by default: the sandbox has no network at all. Turning it on gives this one run "
                              "internet access; new code turns it off again.")) +
        row(tr("Folder"), tr("Off by default: the sandbox sees none of your files. Sharing a folder shows "
                             "it to this one run, read-only, at /workspace/host.")) +
        row(tr("Folder (review)"),
            tr("From the Folder button's menu: the code gets a copy of the folder it may change. "
               "Nothing is written to the folder during the run; afterwards the Changes tab lists "
               "every added, modified and deleted file with its diff, and only the changes you tick "
               "and apply are written."));
    QString limits = row(tr("Time"), tr("Wall-clock time before the sandbox is killed."))
                     + row(tr("Memory"), tr("RAM the program may use; there is no swap to spill into."))
                     + row(tr("CPUs"), tr("How many processor cores it may keep busy."))
                     + row(tr("Processes"), tr("How many processes and threads it may have at once."))
                     + row(tr("Output"), tr("How much it may print before it is cut off."));
    QString verdicts;
    for (Verdict verdict : {Verdict::Ok, Verdict::ExitNonzero, Verdict::Timeout, Verdict::MemoryLimit,
                            Verdict::OutputLimit, Verdict::PidsLimit, Verdict::Cancelled, Verdict::BackendError})
        verdicts += row(QStringLiteral("<code>%1</code>").arg(verdictName(verdict)),
                        QStringLiteral("<i>%1.</i> %2").arg(ResourceMonitor::verdictTitle(verdict), verdictText(verdict)));
    return QStringLiteral("<h2>%1</h2><p>%2</p><ol><li>%3</li><li>%4</li><li>%5</li></ol>"
                          "<h3>%6</h3><table>%7</table><h3>%8</h3><p>%9</p><table>%10</table>"
                          "<h3>%11</h3><p>%12</p><table>%13</table>")
        .arg(tr("Running AI-written code safely"),
             tr("CodeCourier runs each snippet in a fresh sandbox (a Docker container on this machine, or an E2B "
                "microVM in the cloud) that is thrown away afterwards."),
             tr("Paste the AI's answer on the left: the program it contains goes into the editor."),
             tr("Check the code, the language and the limits; give a grant only if the code needs it."),
             tr("Press Run (Ctrl+Return). Output appears below; the monitor shows CPU and memory, then how it ended."),
             tr("Grants: what the sandbox may reach"), grants, tr("Limits: how much it may use"),
             tr("Set them in the Limits box beside the output or, for every new run, in Settings. Reaching one ends the run and the "
                "verdict says which."),
             limits, tr("Verdicts: how a run ended"),
             tr("Every run ends with exactly one of these, shown on the card beside the output and kept in the run "
                "history."),
             verdicts);
}

} // namespace cc
