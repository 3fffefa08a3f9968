#!/usr/bin/env python3
"""`ringlm chat` through a pseudo-terminal.

For each chat template family: a copy of stories260K.gguf whose tokenizer.chat_template carries that
family's markers, a three-turn conversation with a system prompt, and the rendered prompt of every
turn (--show-prompt, on stderr) checked byte for byte against the family's format; each turn after
the first must reuse exactly the text the session already holds. Then /reset, /save, /load, /stats,
Ctrl-C during a reply, Ctrl-C twice at the prompt, Ctrl-D, and the refusals.

usage: chat_pty.py RINGLM_BINARY STORIES260K.gguf WORK_DIR
"""
import os
import pty
import re
import select
import struct
import sys
import time

BIN, MODEL, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
SYSTEM = "You are a storyteller."
USERS = ["Tell me a story.", "Who is in it?", "What happens next?"]

# Template texts with each family's markers, as the model files carry them (abridged Jinja).
TEMPLATES = {
    "chatml": "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n'}}{% endfor %}",
    "llama2": "{{ '[INST] <<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' + content.strip() + ' [/INST]' }}",
    "llama3": "{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] | trim + '<|eot_id|>' }}",
    "mistral": "{{ bos_token }}{% if m['role'] == 'user' %}{{ '[INST] ' + m['content'] + ' [/INST]' }}{% endif %}",
    "phi3": "{{ '<|user|>\\n' + m['content'] + '<|end|>\\n<|assistant|>\\n' }}",
    "zephyr": "{{ '<|user|>\\n' + m['content'] + eos_token }}",
    "gemma": "{{ '<start_of_turn>' + role + '\\n' + m['content'] | trim + '<end_of_turn>\\n' }}",
}


def expected(family, turns, add_assistant=True):
    """The family's rendering of [(role, content)], from its published format."""
    out = ""
    if family in ("chatml", "phi3", "zephyr", "llama3"):
        open_, sep, close = {
            "chatml": ("<|im_start|>", "\n", "<|im_end|>\n"),
            "phi3": ("<|", "|>\n", "<|end|>\n"),
            "zephyr": ("<|", "|>\n", "</s>\n"),
            "llama3": ("<|start_header_id|>", "<|end_header_id|>\n\n", "<|eot_id|>"),
        }[family]
        for role, content in turns:
            out += open_ + role + sep + (content.strip() if family == "llama3" else content) + close
        return out + (open_ + "assistant" + sep if add_assistant else "")
    system = turns[0][1] if turns and turns[0][0] == "system" else ""
    rest = turns[1:] if system else turns
    first = True
    for role, content in rest:
        if family == "llama2":
            if role == "user":
                out += ("<s>" if out else "") + "[INST] "
                out += ("<<SYS>>\n" + system.strip() + "\n<</SYS>>\n\n") if first and system else ""
                out += content.strip() + " [/INST]"
                first = False
            else:
                out += " " + content.strip() + " </s>"
        elif family == "mistral":
            if role == "user":
                out += "[INST] " + ((system + "\n\n") if first and system else "") + content + " [/INST]"
                first = False
            else:
                out += content + "</s>"
        elif family == "gemma":
            if role == "user":
                out += "<start_of_turn>user\n" + ((system.strip() + "\n\n") if first and system else "")
                out += content.strip() + "<end_of_turn>\n"
                first = False
            else:
                out += "<start_of_turn>model\n" + content.strip() + "<end_of_turn>\n"
    return out + ("<start_of_turn>model\n" if family == "gemma" and add_assistant else "")


# ---- a GGUF copy with tokenizer.chat_template ------------------------------------------------
SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def gguf_with_template(src, dst, template):
    data = open(src, "rb").read()
    assert data[:4] == b"GGUF"
    version, n_tensors, n_kv = struct.unpack_from("<IQQ", data, 4)
    pos = 24
    alignment = 32

    def string(p):
        (n,) = struct.unpack_from("<Q", data, p)
        return data[p + 8:p + 8 + n], p + 8 + n

    def value(p, t):
        if t in SCALAR:
            return p + SCALAR[t]
        if t == 8:
            return string(p)[1]
        et, count = struct.unpack_from("<IQ", data, p)
        p += 12
        for _ in range(count):
            p = value(p, et)
        return p

    for _ in range(n_kv):
        key, pos = string(pos)
        (t,) = struct.unpack_from("<I", data, pos)
        if key == b"general.alignment":
            (alignment,) = struct.unpack_from("<I", data, pos + 4)
        assert key != b"tokenizer.chat_template"
        pos = value(pos + 4, t)
    kv_end = pos
    for _ in range(n_tensors):
        _, pos = string(pos)
        (n_dims,) = struct.unpack_from("<I", data, pos)
        pos += 4 + 8 * n_dims + 4 + 8
    data_start = (pos + alignment - 1) // alignment * alignment
    t = template.encode()
    head = struct.pack("<4sIQQ", b"GGUF", version, n_tensors, n_kv + 1) + data[24:kv_end]
    key = b"tokenizer.chat_template"
    head += struct.pack("<Q", len(key)) + key + struct.pack("<IQ", 8, len(t)) + t + data[kv_end:pos]
    head += b"\0" * (-len(head) % alignment)
    open(dst, "wb").write(head + data[data_start:])


# ---- driving the CLI through a pty -----------------------------------------------------------
class Chat:
    def __init__(self, args, name):
        self.err_path = os.path.join(WORK, name + ".stderr")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            err = os.open(self.err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(err, 2)
            os.execv(BIN, [BIN, "chat"] + args)
        self.out = b""
        self.status = None

    def read_until(self, marker, timeout=60.0):
        """Reads the terminal until `marker` follows what was read before; returns the new text."""
        start = len(self.out)
        deadline = time.time() + timeout
        while marker not in self.out[start:]:
            left = deadline - time.time()
            if left <= 0:
                fail(f"timed out waiting for {marker!r}; terminal so far: {self.out[start:][-400:]!r}\n"
                     f"stderr: {self.stderr()[-800:]}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    fail(f"the chat ended while waiting for {marker!r}; stderr: {self.stderr()[-800:]}")
                self.out += chunk
        return self.out[start:]

    def read_bytes(self, n, timeout=60.0):
        start = len(self.out)
        deadline = time.time() + timeout
        while len(self.out) - start < n:
            check(time.time() < deadline and select.select([self.fd], [], [], 1.0) is not None, "no output")
            if select.select([self.fd], [], [], 0.5)[0]:
                self.out += os.read(self.fd, 4096)

    def say(self, line):
        os.write(self.fd, line.encode() + b"\n")
        return self.read_until(b"> ")

    def wait(self, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                os.read(self.fd, 4096) if select.select([self.fd], [], [], 0.1)[0] else None
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return status
        fail("the chat did not exit")

    def stderr(self):
        return open(self.err_path, encoding="utf-8", errors="replace").read()


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check(cond, message):
    if not cond:
        fail(message)


PROMPT_RE = re.compile(r"ringlm chat: prompt \((\d+) bytes reused, (\d+) new tokens\):\n<<<(.*?)>>>\n", re.S)
REPLY_RE = re.compile(r"ringlm chat: reply \((\d+) tokens\):\n<<<(.*?)>>>\n", re.S)


def turns_of(stderr):
    prompts = [(int(m.group(1)), m.group(3)) for m in PROMPT_RE.finditer(stderr)]
    replies = [m.group(2) for m in REPLY_RE.finditer(stderr)]
    check(len(prompts) == len(replies), f"{len(prompts)} prompts but {len(replies)} replies")
    return prompts, replies


def check_conversation(family, prompts, replies, users, system=SYSTEM, start=0):
    """Turn i's prompt is the family's rendering of everything before it; a turn reuses exactly the
    text the session holds (the previous prompt and reply) when that text starts the new prompt."""
    history = [("system", system)] if system else []
    held = ""
    for i, user in enumerate(users):
        reused, text = prompts[start + i]
        want = expected(family, history + [("user", user)])
        check(text == want, f"{family} turn {i + 1}: rendered\n{text!r}\nexpected\n{want!r}")
        want_reused = len(held) if held and text.startswith(held) else 0
        check(reused == want_reused, f"{family} turn {i + 1}: {reused} bytes reused, expected {want_reused}")
        reply = replies[start + i]
        held = text + reply
        history += [("user", user), ("assistant", reply)]
    return held


def main():
    os.makedirs(WORK, exist_ok=True)
    common = ["--show-prompt", "--system", SYSTEM, "-n", "6", "--temp", "0", "--window", "120", "--sinks", "4", "-t", "1"]

    # Every family, detected from the model's template.
    for family, template in TEMPLATES.items():
        path = os.path.join(WORK, f"stories260K-{family}.gguf")
        gguf_with_template(MODEL, path, template)
        chat = Chat(["-m", path] + common, family)
        chat.read_until(b"> ")
        for user in USERS:
            chat.say(user)
        os.write(chat.fd, b"\x04")  # Ctrl-D leaves
        status = chat.wait()
        check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"{family}: exit status {status}")
        err = chat.stderr()
        check(f"template {family}, streaming" in err, f"{family}: not detected: {err[:300]}")
        prompts, replies = turns_of(err)
        check(len(prompts) == 3, f"{family}: {len(prompts)} turns")
        check_conversation(family, prompts, replies, USERS)
        check(any(prompts[i][0] > 0 for i in (1, 2)) or family in ("llama3", "gemma", "llama2"),
              f"{family}: no turn reused the session")
        print(f"ok {family}: 3 turns rendered as the format says; reused {[p[0] for p in prompts]}")

    # --chat-template overrides the model's; /save, /load, /reset, /stats.
    path = os.path.join(WORK, "stories260K-chatml.gguf")
    snap = os.path.join(WORK, "turn1.snap")
    for leftover in (snap, snap + ".chat"):
        if os.path.exists(leftover):
            os.remove(leftover)
    chat = Chat(["-m", path, "--chat-template", "zephyr"] + common, "commands")
    chat.read_until(b"> ")
    chat.say("First question.")
    check(b"(saved to" in chat.say("/save " + snap), "/save did not confirm")
    check(os.path.getsize(snap) > 0 and os.path.exists(snap + ".chat"), "/save wrote no files")
    chat.say("Second question.")
    check(b"(loaded" in chat.say("/load " + snap), "/load did not confirm")
    chat.say("Another second question.")
    check(b"(conversation reset)" in chat.say("/reset"), "/reset did not confirm")
    chat.say("After the reset.")
    stats = chat.say("/stats")
    check(re.search(rb"context: \d+ tokens", stats) and b"decode:" in stats, f"/stats printed {stats!r}")
    chat.say("/load " + os.path.join(WORK, "missing.snap"))
    os.write(chat.fd, b"\x04")
    check(chat.wait() == 0, "commands: exit status")
    err = chat.stderr()
    check("template zephyr" in err, "--chat-template did not override the model's template")
    check("/load: cannot read" in err and "missing.snap.chat" in err, "a missing /load file was not reported")
    prompts, replies = turns_of(err)
    check(len(prompts) == 4, f"commands: {len(prompts)} turns")
    held1 = check_conversation("zephyr", prompts, replies, ["First question."])
    # After /load the session holds turn 1 again: the new turn continues from it, not from turn 2.
    reused, text = prompts[2]
    want = expected("zephyr", [("system", SYSTEM), ("user", "First question."), ("assistant", replies[0]),
                               ("user", "Another second question.")])
    check(text == want, f"after /load: rendered\n{text!r}\nexpected\n{want!r}")
    check(reused == len(held1), f"after /load: {reused} bytes reused, expected {len(held1)}")
    # After /reset: only the system prompt remains and nothing is reused.
    check(prompts[3] == (0, expected("zephyr", [("system", SYSTEM), ("user", "After the reset.")])),
          f"after /reset: {prompts[3]!r}")
    print("ok commands: /save, /load, /reset, /stats, --chat-template")

    # Ctrl-C stops an endless reply without leaving; Ctrl-C twice at the prompt leaves.
    chat = Chat(["-m", path, "--temp", "0", "--window", "64", "-n", "4000000000", "-t", "1"], "interrupt")
    chat.read_until(b"> ")
    os.write(chat.fd, b"Tell me a story.\n")
    chat.read_bytes(400)  # the reply streams
    os.write(chat.fd, b"\x03")
    chat.read_until(b"> ")
    check("(reply stopped)" in chat.stderr(), "Ctrl-C did not stop the reply")
    check(b"decode:" in chat.say("/stats"), "/stats after a stopped reply")
    os.write(chat.fd, b"\x03")
    chat.read_until(b"Ctrl-C again")
    os.write(chat.fd, b"\x03")
    status = chat.wait()
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"interrupt: exit status {status}")
    print("ok Ctrl-C: the reply stopped, the chat went on, two presses at the prompt left")

    # An unrecognised template is an error naming the known ones; without one, chatml with a note.
    odd = os.path.join(WORK, "stories260K-odd.gguf")
    gguf_with_template(MODEL, odd, "{% for m in messages %}{{ m['role'] + ': ' + m['content'] }}{% endfor %}")
    chat = Chat(["-m", odd], "unknown")
    status = chat.wait()
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 1, f"unknown template: exit status {status}")
    check("known: chatml, llama2, llama3, mistral, phi3, zephyr, gemma" in chat.stderr(), chat.stderr())
    chat = Chat(["--chat-template", "vicuna"], "bad_name")
    check(os.WEXITSTATUS(chat.wait()) == 1 and "unknown chat template 'vicuna'" in chat.stderr(), chat.stderr())
    chat = Chat(["-n", "4", "--show-prompt"], "builtin")
    chat.read_until(b"> ")
    chat.say("Hello")
    os.write(chat.fd, b"\x04")
    check(chat.wait() == 0, "built-in: exit status")
    err = chat.stderr()
    check("has no chat template; using chatml" in err and "<<<<|im_start|>user\nHello<|im_end|>\n" in err, err)
    print("ok refusals: unknown template, unknown name; the built-in model chats in chatml with a note")


main()
