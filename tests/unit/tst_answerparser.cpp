// AnswerParser: code blocks out of pasted AI answers (Markdown), their languages, positions and the
// block the app offers first; guessLanguage on code that names no language.
#include "AnswerParser.h"

#include <QElapsedTimer>
#include <QtTest>

using cc::CodeBlock;
using cc::ParsedAnswer;

class TestAnswerParser : public QObject
{
    Q_OBJECT

private slots:
    void blocks_data();
    void blocks();
    void infoWords_data();
    void infoWords();
    void preselection_data();
    void preselection();
    void guessLanguage_data();
    void guessLanguage();
    void helperBlocks_data();
    void helperBlocks();
    void megabyteAnswerParsesQuickly();
    void megabyteBlockParsesQuickly();

private:
    /// "python runnable @12", "bash(guessed) runnable @3", "rust inert @7", "? inert @2"
    static QStringList describe(const ParsedAnswer& answer);
    static QStringList codes(const ParsedAnswer& answer);
};

QStringList TestAnswerParser::describe(const ParsedAnswer& answer)
{
    QStringList out;
    for (const CodeBlock& block : answer.blocks) {
        out << QStringLiteral("%1%2 %3 @%4")
                   .arg(block.language.isEmpty() ? QStringLiteral("?") : block.language,
                        block.languageGuessed ? QStringLiteral("(guessed)") : QString(),
                        block.runnable ? QStringLiteral("runnable") : QStringLiteral("inert"),
                        QString::number(block.startLine));
    }
    return out;
}

QStringList TestAnswerParser::codes(const ParsedAnswer& answer)
{
    QStringList out;
    for (const CodeBlock& block : answer.blocks)
        out << block.code;
    return out;
}

void TestAnswerParser::blocks_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<QStringList>("expected"); // describe()
    QTest::addColumn<QStringList>("expectedCodes");
    QTest::addColumn<int>("preselected");

    QTest::newRow("chatgpt: prose, pip install, program, output")
        << QStringLiteral("Sure! Here's a small script that downloads a page and prints its title.\n" // 1
                          "\n"
                          "First, install the dependencies:\n"
                          "\n"
                          "```bash\n"                             // 5
                          "pip install requests beautifulsoup4\n" // 6
                          "```\n"
                          "\n"
                          "Then save this as `title.py`:\n"
                          "\n" // 10
                          "```python\n"
                          "import sys\n" // 12
                          "\n"
                          "import requests\n"
                          "from bs4 import BeautifulSoup\n" // 15
                          "\n"
                          "\n"
                          "def main(url: str) -> None:\n"
                          "    html = requests.get(url, timeout=10).text\n"
                          "    print(BeautifulSoup(html, \"html.parser\").title.string)\n" // 20
                          "\n"
                          "\n"
                          "if __name__ == \"__main__\":\n"
                          "    main(sys.argv[1])\n"
                          "```\n" // 25
                          "\n"
                          "Example output:\n"
                          "\n"
                          "```text\n"
                          "Example Domain\n" // 30
                          "```\n"
                          "\n"
                          "Let me know if you need anything else!\n")
        << QStringList{QStringLiteral("bash runnable @6"), QStringLiteral("python runnable @12"),
                       QStringLiteral("text inert @30")}
        << QStringList{QStringLiteral("pip install requests beautifulsoup4\n"),
                       QStringLiteral("import sys\n\nimport requests\nfrom bs4 import BeautifulSoup\n\n\n"
                                      "def main(url: str) -> None:\n"
                                      "    html = requests.get(url, timeout=10).text\n"
                                      "    print(BeautifulSoup(html, \"html.parser\").title.string)\n\n\n"
                                      "if __name__ == \"__main__\":\n    main(sys.argv[1])\n"),
                       QStringLiteral("Example Domain\n")}
        << 1;

    QTest::newRow("tilde fences, a longer one holding a shorter")
        << QStringLiteral("~~~python\n"
                          "print('a')\n"
                          "~~~\n"
                          "\n"
                          "~~~~~js\n"
                          "const s = `~~~`;\n"
                          "~~~\n"
                          "console.log(s);\n"
                          "~~~~~\n")
        << QStringList{QStringLiteral("python runnable @2"), QStringLiteral("node runnable @6")}
        << QStringList{QStringLiteral("print('a')\n"), QStringLiteral("const s = `~~~`;\n~~~\nconsole.log(s);\n")} << 1;

    QTest::newRow("four backticks around a Markdown example")
        << QStringLiteral("````markdown\n"
                          "```python\n"
                          "print(1)\n"
                          "```\n"
                          "````\n")
        << QStringList{QStringLiteral("markdown inert @2")} << QStringList{QStringLiteral("```python\nprint(1)\n```\n")}
        << -1;

    QTest::newRow("info string with a title attribute")
        << QStringLiteral("Save as main.py:\n\n```python title=\"main.py\" linenums=\"1\"\nprint('hi')\n```\n")
        << QStringList{QStringLiteral("python runnable @4")} << QStringList{QStringLiteral("print('hi')\n")} << 0;

    QTest::newRow("indented code block") << QStringLiteral("Run this:\n"
                                                           "\n"
                                                           "    #!/bin/sh\n"
                                                           "    for f in *.txt; do\n"
                                                           "        wc -l \"$f\"\n"
                                                           "    done\n"
                                                           "\n"
                                                           "That's all.\n")
                                         << QStringList{QStringLiteral("bash(guessed) runnable @3")}
                                         << QStringList{QStringLiteral(
                                                "#!/bin/sh\nfor f in *.txt; do\n    wc -l \"$f\"\ndone\n")}
                                         << 0;

    QTest::newRow("blocks inside a numbered list")
        << QStringLiteral("Steps:\n"
                          "\n"
                          "1. Install the package:\n"
                          "\n"
                          "   ```bash\n"
                          "   pip install rich\n" // 6
                          "   ```\n"
                          "\n"
                          "2. Create `demo.py`:\n"
                          "\n"
                          "   ```python\n"
                          "   from rich import print\n" // 12
                          "\n"
                          "   for i in range(3):\n"
                          "       print(f\"[bold]{i}[/bold]\")\n"
                          "   ```\n"
                          "\n"
                          "3. Run `python demo.py`.\n")
        << QStringList{QStringLiteral("bash runnable @6"), QStringLiteral("python runnable @12")}
        << QStringList{QStringLiteral("pip install rich\n"),
                       QStringLiteral(
                           "from rich import print\n\nfor i in range(3):\n    print(f\"[bold]{i}[/bold]\")\n")}
        << 1;

    QTest::newRow("block inside a nested bullet list")
        << QStringLiteral("- Backend\n"
                          "  - Add a helper:\n"
                          "\n"
                          "    ```python\n"
                          "    def add(a, b):\n" // 5
                          "        return a + b\n"
                          "    ```\n"
                          "\n"
                          "  - Done.\n")
        << QStringList{QStringLiteral("python runnable @5")}
        << QStringList{QStringLiteral("def add(a, b):\n    return a + b\n")} << 0;

    QTest::newRow("indented block inside a list item") << QStringLiteral("* Example:\n"
                                                                         "\n"
                                                                         "      echo one\n"
                                                                         "        echo two\n")
                                                       << QStringList{QStringLiteral("bash(guessed) runnable @3")}
                                                       << QStringList{QStringLiteral("echo one\n  echo two\n")} << 0;

    QTest::newRow("block inside a block quote")
        << QStringLiteral("> Try this:\n"
                          ">\n"
                          "> ```js\n"
                          "> const x = [1, 2, 3];\n"
                          ">   console.log(x.map((n) => n * 2));\n"
                          "> ```\n")
        << QStringList{QStringLiteral("node runnable @4")}
        << QStringList{QStringLiteral("const x = [1, 2, 3];\n  console.log(x.map((n) => n * 2));\n")} << 0;

    QTest::newRow("unclosed fence runs to the end")
        << QStringLiteral("Here is the code:\n"
                          "\n"
                          "```python\n"
                          "for i in range(3):\n"
                          "    print(i)")
        << QStringList{QStringLiteral("python runnable @4")}
        << QStringList{QStringLiteral("for i in range(3):\n    print(i)\n")} << 0;

    QTest::newRow("CRLF line ends")
        << QStringLiteral("Intro\r\n\r\n```python\r\nprint(1)\r\n\r\nprint(2)\r\n```\r\nOutro\r\n```sh\r\necho x\r\n")
        << QStringList{QStringLiteral("python runnable @4"), QStringLiteral("bash runnable @10")}
        << QStringList{QStringLiteral("print(1)\n\nprint(2)\n"), QStringLiteral("echo x\n")} << 0;

    QTest::newRow("old Mac CR line ends")
        << QStringLiteral("Intro\r\r```python\rprint(1)\r```\r") << QStringList{QStringLiteral("python runnable @4")}
        << QStringList{QStringLiteral("print(1)\n")} << 0;

    QTest::newRow("rust block: listed, not runnable")
        << QStringLiteral("In Rust:\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n")
        << QStringList{QStringLiteral("rust inert @4")}
        << QStringList{QStringLiteral("fn main() {\n    println!(\"hi\");\n}\n")} << -1;

    QTest::newRow("no info string, shebang")
        << QStringLiteral("```\n#!/usr/bin/env python3\nname = input()\n```\n")
        << QStringList{QStringLiteral("python(guessed) runnable @2")}
        << QStringList{QStringLiteral("#!/usr/bin/env python3\nname = input()\n")} << 0;

    QTest::newRow("no info string, obvious JavaScript")
        << QStringLiteral("```\nconst fs = require('fs');\nconsole.log(fs.readdirSync('.'));\n```\n")
        << QStringList{QStringLiteral("node(guessed) runnable @2")}
        << QStringList{QStringLiteral("const fs = require('fs');\nconsole.log(fs.readdirSync('.'));\n")} << 0;

    QTest::newRow("no info string, plain output: unknown")
        << QStringLiteral("```\nHello, world!\n42\n```\n") << QStringList{QStringLiteral("? inert @2")}
        << QStringList{QStringLiteral("Hello, world!\n42\n")} << -1;

    QTest::newRow("no code at all")
        << QStringLiteral("# Answer\n\nPython's `print` writes to *stdout*. Use `sys.stderr` otherwise.\n\n"
                          "- one\n- two\n\n| a | b |\n|---|---|\n| `x` | y |\n")
        << QStringList{} << QStringList{} << -1;

    QTest::newRow("empty fenced blocks are skipped")
        << QStringLiteral("```python\n```\n\n```bash\n\n   \n\t\n```\n\n```js\nconsole.log(1)\n```\n")
        << QStringList{QStringLiteral("node runnable @11")} << QStringList{QStringLiteral("console.log(1)\n")} << 0;

    QTest::newRow("inline code spans are not blocks")
        << QStringLiteral("Run `pip install x`, then ``print(`1`)`` and ```echo inline```.\n") << QStringList{}
        << QStringList{} << -1;

    QTest::newRow("HTML blocks are ignored")
        << QStringLiteral("<div>\n```python\nprint(1)\n```\n</div>\n\n<pre><code>print(2)\n</code></pre>\n\n"
                          "```python\nprint(3)\n```\n")
        << QStringList{QStringLiteral("python runnable @11")} << QStringList{QStringLiteral("print(3)\n")} << 0;

    QTest::newRow("tabs inside the code are kept")
        << QStringLiteral("```python\ndef f():\n\treturn 1\n\n\tx = 2\n```\n")
        << QStringList{QStringLiteral("python runnable @2")}
        << QStringList{QStringLiteral("def f():\n\treturn 1\n\n\tx = 2\n")} << 0;

    QTest::newRow("tab indentation inside a list item")
        << QStringLiteral("1. Go:\n\n   ```go\n   func main() {\n   \tfmt.Println(1)\n   }\n   ```\n")
        << QStringList{QStringLiteral("go inert @4")}
        << QStringList{QStringLiteral("func main() {\n\tfmt.Println(1)\n}\n")} << -1;

    QTest::newRow("tab-indented code block")
        << QStringLiteral("Text\n\n\techo a\n\t\techo b\n") << QStringList{QStringLiteral("bash(guessed) runnable @3")}
        << QStringList{QStringLiteral("echo a\n\techo b\n")} << 0;

    QTest::newRow("tab indentation inside a block quote")
        << QStringLiteral("> ```sh\n> if true; then\n> \techo a\n> fi\n> ```\n")
        << QStringList{QStringLiteral("bash runnable @2")}
        << QStringList{QStringLiteral("if true; then\n\techo a\nfi\n")} << 0;

    QTest::newRow("blank lines around the code are trimmed")
        << QStringLiteral("```python\n\n\nprint(1)\n\n```\n") << QStringList{QStringLiteral("python runnable @4")}
        << QStringList{QStringLiteral("print(1)\n")} << 0;

    QTest::newRow("fence indentation is removed from the code")
        << QStringLiteral("  ```python\n  if True:\n      print(1)\n print(2)\n  ```\n")
        << QStringList{QStringLiteral("python runnable @2")}
        << QStringList{QStringLiteral("if True:\n    print(1)\nprint(2)\n")} << 0;

    QTest::newRow("non-ASCII prose and code")
        << QStringLiteral("Voilà — ça marche 🎉\n\n```python\nprint(\"héllo wörld ✓\")\n```\n")
        << QStringList{QStringLiteral("python runnable @4")}
        << QStringList{QStringLiteral("print(\"héllo wörld ✓\")\n")} << 0;

    QTest::newRow("NUL characters become U+FFFD")
        << QStringLiteral("Text\n\n```python\n") + QChar(0) + QStringLiteral("\nprint(1)") + QChar(0) +
               QStringLiteral("\n```\n")
        << QStringList{QStringLiteral("python runnable @4")} << QStringList{QStringLiteral("\uFFFD\nprint(1)\uFFFD\n")}
        << 0;

    QTest::newRow("byte order mark before the first fence")
        << QStringLiteral("\uFEFF```python\nprint(1)\n```\n") << QStringList{QStringLiteral("python runnable @2")}
        << QStringList{QStringLiteral("print(1)\n")} << 0;

    // Found by fuzz/fuzz_answer_parser: a U+FEFF that starts the code was dropped as a byte order
    // mark after the blank lines had been trimmed, leaving a blank first line or an empty block.
    QTest::newRow("U+FEFF alone on the first line of code")
        << QStringLiteral("```python\n\uFEFF\nprint(1)\n```\n") << QStringList{QStringLiteral("python runnable @2")}
        << QStringList{QStringLiteral("\uFEFF\nprint(1)\n")} << 0;
    QTest::newRow("indented block of only U+FEFF")
        << QStringLiteral("\t\uFEFF") << QStringList{QStringLiteral("? inert @1")}
        << QStringList{QStringLiteral("\uFEFF\n")} << -1;

    QTest::newRow("a block ends its list")
        << QStringLiteral(
               "1. Install:\n```bash\nnpm install chalk\n```\n2. Code:\n```js\nconst chalk = require('chalk');\n"
               "console.log(chalk.blue('hi'));\n```\n")
        << QStringList{QStringLiteral("bash runnable @3"), QStringLiteral("node runnable @7")}
        << QStringList{QStringLiteral("npm install chalk\n"),
                       QStringLiteral("const chalk = require('chalk');\nconsole.log(chalk.blue('hi'));\n")}
        << 1;
}

void TestAnswerParser::blocks()
{
    QFETCH(QString, markdown);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, expectedCodes);
    QFETCH(int, preselected);

    const ParsedAnswer answer = cc::parseAnswer(markdown);
    QCOMPARE(describe(answer), expected);
    QCOMPARE(codes(answer), expectedCodes);
    QCOMPARE(answer.preselected, preselected);
}

void TestAnswerParser::infoWords_data()
{
    QTest::addColumn<QString>("info");
    QTest::addColumn<QString>("infoWord");
    QTest::addColumn<QString>("language");
    QTest::addColumn<bool>("runnable");

    auto row = [](const char* name, const char* info, const char* word, const char* language, bool runnable) {
        QTest::newRow(name) << QString::fromUtf8(info) << QString::fromUtf8(word) << QString::fromUtf8(language)
                            << runnable;
    };
    row("python", "python", "python", "python", true);
    row("Python capitalised", "Python", "Python", "python", true);
    row("py", "py", "py", "python", true);
    row("python3", "python3", "python3", "python", true);
    row("title attribute", "python title=\"x.py\"", "python", "python", true);
    row("braces", "{python}", "{python}", "python", true);
    row("pandoc class", "{.python .numberLines}", "{.python", "python", true);
    row("R Markdown chunk", "{r, echo=FALSE}", "{r,", "r", false);
    row("language:file", "python:main.py", "python:main.py", "python", true);
    row("file name", "main.py", "main.py", "python", true);
    row("js", "js", "js", "node", true);
    row("javascript", "JavaScript", "JavaScript", "node", true);
    row("node", "node", "node", "node", true);
    row("mjs", "mjs", "mjs", "node", true);
    row("sh", "sh", "sh", "bash", true);
    row("shell", "shell", "shell", "bash", true);
    row("zsh", "zsh", "zsh", "bash", true);
    row("console", "console", "console", "bash", true);
    row("rust", "rust", "rust", "rust", false);
    row("Rust capitalised", "Rust", "Rust", "rust", false);
    row("go", "go", "go", "go", false);
    row("c", "c", "c", "c", false);
    row("c++", "c++", "c++", "c++", false);
    row("java", "java", "java", "java", false);
    row("typescript", "typescript", "typescript", "typescript", false);
    row("json", "json", "json", "json", false);
    row("yaml", "yaml", "yaml", "yaml", false);
    row("text", "text", "text", "text", false);
    row("diff", "diff", "diff", "diff", false);
}

void TestAnswerParser::infoWords()
{
    QFETCH(QString, info);
    QFETCH(QString, infoWord);
    QFETCH(QString, language);
    QFETCH(bool, runnable);

    // Content that guesses as nothing, so that only the info string can decide.
    const ParsedAnswer answer = cc::parseAnswer(QStringLiteral("```%1\nsome words\n```\n").arg(info));
    QCOMPARE(answer.blocks.size(), 1);
    const CodeBlock& block = answer.blocks.first();
    QCOMPARE(block.infoWord, infoWord);
    QCOMPARE(block.language, language);
    QCOMPARE(block.runnable, runnable);
    QCOMPARE(block.languageGuessed, false);
    QCOMPARE(answer.preselected, runnable ? 0 : -1);
}

void TestAnswerParser::preselection_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<int>("preselected");

    QTest::newRow("transcript is not preferred over a shorter program")
        << QStringLiteral(
               "```console\n$ python3 -m venv .venv\n$ . .venv/bin/activate\n$ python3 app.py\nServing on :8000\n"
               "```\n\n```python\nprint('serving')\n```\n")
        << 1;
    QTest::newRow("user@host prompts are a transcript")
        << QStringLiteral("```bash\nme@box:~/src$ make\ncc -o hello hello.c\nme@box:~/src$ ./hello\n```\n\n"
                          "```python\nprint(1)\n```\n")
        << 1;
    QTest::newRow("python REPL session is not preferred")
        << QStringLiteral(
               "```python\n>>> x = [1, 2]\n>>> x.append(3)\n>>> x\n[1, 2, 3]\n```\n\n```python\nx = [1]\n```\n")
        << 1;
    QTest::newRow("two python snippets: the longer one")
        << QStringLiteral("```python\nimport json\n```\n\nFull program:\n\n```python\nimport json\n\n"
                          "data = json.loads('[1, 2]')\nprint(sum(data))\n```\n")
        << 1;
    QTest::newRow("equal length: the earliest")
        << QStringLiteral("```python\nprint(1)\nprint(2)\n```\n\n```js\nconsole.log(1);\nconsole.log(2);\n```\n") << 0;
    QTest::newRow("blank lines do not count as length")
        << QStringLiteral("```python\nprint(1)\n\n\n\n\nprint(2)\n```\n\n```python\na = 1\nb = 2\nprint(a + b)\n```\n")
        << 1;
    QTest::newRow("install block alone is still offered")
        << QStringLiteral("Install it:\n\n```bash\nsudo apt-get update\nsudo apt-get install -y jq\n```\n") << 0;
    QTest::newRow("install steps after the program do not win by length")
        << QStringLiteral("```js\nconsole.log('hi');\n```\n\n```bash\nmkdir demo\ncd demo\nnpm init -y\nnpm install "
                          "express\nnode index.js\n```\n")
        << 0;
    QTest::newRow("a run command after a one-line program")
        << QStringLiteral("```python\nprint('hi')\n```\n\nRun it:\n\n```bash\npython3 hello.py\n```\n") << 0;
    QTest::newRow("a real shell script beats a shorter program")
        << QStringLiteral(
               "```python\nprint(1)\n```\n\n```bash\n#!/bin/bash\nset -e\nfor f in *.log; do\n  gzip \"$f\"\n"
               "done\n```\n")
        << 1;
    QTest::newRow("runnable beats a longer unrunnable block")
        << QStringLiteral(
               "```rust\nfn main() {\n    let x = 1;\n    println!(\"{}\", x);\n}\n```\n\n```sh\npip install "
               "x\n```\n")
        << 1;
    QTest::newRow("only output and rust: none")
        << QStringLiteral("```rust\nfn main() {}\n```\n\n```text\n1\n```\n") << -1;
    QTest::newRow("no blocks: none") << QStringLiteral("Just words.\n") << -1;
}

void TestAnswerParser::preselection()
{
    QFETCH(QString, markdown);
    QFETCH(int, preselected);
    const ParsedAnswer answer = cc::parseAnswer(markdown);
    QCOMPARE(answer.preselected, preselected);
    QCOMPARE(cc::preselectBlock(answer.blocks), preselected);
}

void TestAnswerParser::guessLanguage_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("language");

    auto row = [](const char* name, const char* code, const char* language) {
        QTest::newRow(name) << QString::fromUtf8(code) << QString::fromUtf8(language);
    };
    row("env python3 shebang", "#!/usr/bin/env python3\nx = 1\n", "python");
    row("python shebang with version", "#!/usr/bin/python3.11\n", "python");
    row("env -S shebang", "#!/usr/bin/env -S python3 -u\nprint(1)\n", "python");
    row("node shebang", "#!/usr/bin/env node\nx = 1\n", "node");
    row("bash shebang", "#!/bin/bash\nls\n", "bash");
    row("sh shebang", "#!/bin/sh -e\n", "bash");
    row("shebang wins over content", "#!/bin/sh\nconsole.log(1)\nconst x = 2\n", "bash");
    row("perl shebang: not ours", "#!/usr/bin/perl\nprint \"hi\";\n", "");
    row("def", "def greet(name):\n    return f'hi {name}'\n", "python");
    row("import and print", "import os\nprint(os.getcwd())\n", "python");
    row("from import", "from pathlib import Path\n", "python");
    row("class", "class Point:\n    x: int\n", "python");
    row("main guard", "if __name__ == \"__main__\":\n    run()\n", "python");
    row("const and console.log", "const n = 3;\nconsole.log(n * 2);\n", "node");
    row("require", "const http = require('http');\n", "node");
    row("arrow function", "let add = (a, b) => a + b;\n", "node");
    row("function declaration", "function main() {\n  return 1;\n}\n", "node");
    row("ES module import", "import fs from 'node:fs';\n", "node");
    row("dollar prompt", "$ ls -la\ntotal 0\n", "bash");
    row("pip install", "pip install numpy pandas\n", "bash");
    row("npm install", "npm install --save express\n", "bash");
    row("apt-get install", "sudo apt-get install -y curl\n", "bash");
    row("echo", "echo \"Hello\"\n", "bash");
    row("if then fi", "if [ -f config ]; then\n  source config\nfi\n", "bash");
    row("for do done", "for i in 1 2 3; do\n  touch \"$i\"\ndone\n", "bash");
    row("export", "export PATH=\"$HOME/bin:$PATH\"\n", "bash");
    row("empty", "", "");
    row("prose", "Hello, world!\n", "");
    row("a number", "42\n", "");
    row("an assignment alone", "x = 1\n", "");
    row("a call alone", "foo(bar)\n", "");
    row("json", "{\n  \"name\": \"x\",\n  \"version\": 1\n}\n", "");
    row("yaml", "name: ci\non: push\n", "");
    row("sql", "SELECT * FROM users WHERE id = 1;\n", "");
    row("rust", "fn main() {\n    println!(\"hi\");\n}\n", "");
    row("a print call alone", "print(\"Hello, world!\")\n", "python");
    row("rust with let and match arms", "let x = 5;\nmatch x {\n    1 => println!(\"one\"),\n    _ => {}\n}\n", "");
    row("c", "#include <stdio.h>\nint main(void) {\n    printf(\"hi\\n\");\n}\n", "");
    row("java", "public class Main {\n    public static void main(String[] args) {}\n}\n", "");
    row("go", "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(1)\n}\n", "");
    row("typescript", "interface User {\n  name: string;\n}\nconst u: User = { name: 'x' };\nconsole.log(u);\n", "");
    row("html", "<div class=\"x\">\n  <p>hi</p>\n</div>\n", "");
    row("traceback",
        "Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n    print(x)\n"
        "NameError: name 'x' is not defined\n",
        "");
    row("output with done", "Processing files...\ndone\n", "");
    row("python and js mixed", "print('a')\nconsole.log('b')\n", "");
    row("comment only", "# just a comment\n", "");
}

void TestAnswerParser::guessLanguage()
{
    QFETCH(QString, code);
    QFETCH(QString, language);
    QCOMPARE(cc::guessLanguage(code), language);
}

void TestAnswerParser::helperBlocks_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("helper");

    auto row = [](const char* name, const char* language, const char* code, bool helper) {
        QTest::newRow(name) << QString::fromUtf8(language) << QString::fromUtf8(code) << helper;
    };
    row("pip install", "bash", "pip install requests\n", true);
    row("python -m pip", "bash", "python3 -m pip install -U pip\n", true);
    row("venv set-up", "bash", "python3 -m venv .venv\nsource .venv/bin/activate\npip install -r requirements.txt\n",
        true);
    row("npm project set-up", "bash", "mkdir app && cd app\nnpm init -y\nnpm i express\n", true);
    row("run command", "bash", "# run it\npython main.py --verbose\n", true);
    row("dollar transcript", "bash", "$ node app.js\nlistening on 3000\n", true);
    row("python REPL transcript", "python", ">>> 1 + 1\n2\n", true);
    row("real script", "bash", "#!/bin/bash\nset -euo pipefail\nfor f in *.txt; do wc -l \"$f\"; done\n", false);
    row("install then work", "bash", "pip install httpie\nhttp GET example.org\n", false);
    row("a python program", "python", "import sys\nprint(sys.argv)\n", false);
    row("python code that mentions pip", "python", "import subprocess\nsubprocess.run(['pip', 'install', 'x'])\n",
        false);
}

void TestAnswerParser::helperBlocks()
{
    QFETCH(QString, language);
    QFETCH(QString, code);
    QFETCH(bool, helper);
    CodeBlock block;
    block.language = language;
    block.runnable = true;
    block.code = code;
    QCOMPARE(cc::isHelperBlock(block), helper);
}

void TestAnswerParser::megabyteAnswerParsesQuickly()
{
    // Prose with emphasis, links and code spans around many blocks; also a list and a quote each time.
    const QString section =
        QStringLiteral("Here is *step* number %1 with `inline code`, a [link](https://example.com) and **bold** text. "
                       "Some more prose to make the paragraph long enough to look like a real explanation.\n\n"
                       "```python\nimport math\n\ndef area(r):\n    return math.pi * r * r\n\nprint(area(%1))\n```\n\n"
                       "- item\n  1. nested\n\n     ```sh\n     echo %1\n     ```\n\n> quoted\n\n");
    QString markdown;
    int sections = 0;
    while (markdown.size() < 1024 * 1024)
        markdown += section.arg(++sections);

    QElapsedTimer timer;
    timer.start();
    const ParsedAnswer answer = cc::parseAnswer(markdown);
    const qint64 elapsed = timer.elapsed();

    QCOMPARE(answer.blocks.size(), sections * 2);
    QCOMPARE(answer.blocks.last().code, QStringLiteral("echo %1\n").arg(sections));
    QCOMPARE(answer.blocks.last().startLine, sections * 20 - 4);
    QCOMPARE(answer.preselected, 0);
    // Linear work takes well under a second; anything quadratic in 1 MB takes minutes.
    QVERIFY2(elapsed < 10'000, qPrintable(QStringLiteral("parsing 1 MB took %1 ms").arg(elapsed)));
}

void TestAnswerParser::megabyteBlockParsesQuickly()
{
    // One unclosed fence holding a megabyte of tab-indented code, and no info string to go by.
    QString markdown = QStringLiteral("Intro\n\n```\n");
    int lines = 0;
    while (markdown.size() < 1024 * 1024) {
        markdown += QStringLiteral("def f%1():\n\treturn %1\n").arg(lines);
        lines += 2;
    }

    QElapsedTimer timer;
    timer.start();
    const ParsedAnswer answer = cc::parseAnswer(markdown);
    const qint64 elapsed = timer.elapsed();

    QCOMPARE(answer.blocks.size(), 1);
    const CodeBlock& block = answer.blocks.first();
    QCOMPARE(block.code.count(QLatin1Char('\n')), lines);
    QVERIFY(block.code.startsWith(QStringLiteral("def f0():\n\treturn 0\n")));
    QCOMPARE(block.language, QStringLiteral("python"));
    QVERIFY(block.languageGuessed);
    QCOMPARE(block.startLine, 4);
    QVERIFY2(elapsed < 10'000, qPrintable(QStringLiteral("parsing a 1 MB block took %1 ms").arg(elapsed)));
}

QTEST_APPLESS_MAIN(TestAnswerParser)
#include "tst_answerparser.moc"
