"""The context budget is counted with a real tokenizer (cl100k_base through tiktoken), from
the encoding file shipped with the app: no network, exact counts at the budget's edge."""

import gzip
import socket

import pytest

from learning.assistant import prompting, tokens
from learning.assistant.providers import ModelRequest, OfflineProvider, Source


def _sources(texts: list[str]) -> list[Source]:
    return [
        Source(number=n, lesson_id=f"l{n}", lesson_title=f"Lesson {n}", kind="text", text=text)
        for n, text in enumerate(texts, start=1)
    ]


# Text whose token count a characters-per-token guess gets wrong: digits, German compounds,
# code and punctuation runs.
TEXTS = [
    "Die Fotosynthese wandelt Lichtenergie in chemische Energie um: 6 CO2 + 6 H2O.",
    "for i in range(10):\n    print(i ** 2)  # squares 0..81",
    "Numbers 1234567890 9876543210 and 3.14159265358979 are split in threes by the tokenizer.",
    "The loop stops at `break`; `continue` skips to the next round!!! ... (see 2:45)",
]


def test_counts_are_cl100k_base_token_ids():
    enc = tokens.encoding()
    assert enc.encode_ordinary("hello world") == [15339, 1917]
    assert enc.encode_ordinary("tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]
    assert tokens.count_tokens("tiktoken is great!") == 6
    assert tokens.count_tokens("") == 0
    # Special-token markers written by a learner are plain text, never control tokens.
    assert tokens.count_tokens("<|endoftext|>") > 1


def test_encoding_loads_with_no_network_and_no_tiktoken_cache(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("the tokenizer tried to use the network")

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    tokens.encoding.cache_clear()
    try:
        assert tokens.count_tokens("hello world") == 2
    finally:
        tokens.encoding.cache_clear()
    assert list(tmp_path.iterdir()) == []


def test_a_corrupted_encoding_file_is_refused(tmp_path):
    good = gzip.decompress(tokens.ENCODING_FILE.read_bytes())
    bad = tmp_path / "cl100k_base.tiktoken.gz"
    bad.write_bytes(gzip.compress(good.replace(b"IQ== 0", b"Ig== 0", 1)))
    with pytest.raises(tokens.TokenizerDataError, match="SHA-256"):
        tokens.load_ranks(bad)
    with pytest.raises(tokens.TokenizerDataError):
        tokens.load_ranks(tmp_path / "missing.gz")


def test_passages_fill_the_budget_exactly():
    ctx = prompting.PromptContext(course_title="C", passages=_sources(TEXTS))
    full = prompting.content_tokens(ctx)
    block = prompting.rendered_passages(ctx)
    assert full == len(tokens.encoding().encode_ordinary(block))

    exact = prompting.PromptContext(course_title="C", passages=_sources(TEXTS))
    prompting.fit_passages(exact, full)
    assert len(exact.passages) == len(TEXTS)  # the budget is reached, not exceeded: all kept

    short = prompting.PromptContext(course_title="C", passages=_sources(TEXTS))
    prompting.fit_passages(short, full - 1)
    assert len(short.passages) == len(TEXTS) - 1  # one token short: the last passage goes
    three = prompting.PromptContext(course_title="C", passages=_sources(TEXTS[:3]))
    assert prompting.content_tokens(short) == prompting.content_tokens(three) <= full - 1


def test_the_prompt_holds_the_passages_counted(settings):
    ctx = prompting.PromptContext(course_title="C", question="Why?", passages=_sources(TEXTS))
    settings.ASSISTANT_CONTEXT_TOKENS = prompting.content_tokens(
        prompting.PromptContext(course_title="C", passages=_sources(TEXTS[:2]))
    )
    request = prompting.build("chat", ctx)
    user = request.messages[-1]["content"]
    assert len(ctx.passages) == 2
    assert prompting.rendered_passages(ctx) in user
    assert "Numbers 1234567890" not in user


def test_a_long_transcript_window_is_cut_to_the_budget():
    transcript = Source(
        number=1,
        lesson_id="l1",
        lesson_title="Loops",
        kind="transcript",
        text=" ".join(TEXTS * 10),
        start_seconds=30.0,
    )
    ctx = prompting.PromptContext(course_title="C", transcript=transcript, passages=_sources(TEXTS))
    prompting.fit_passages(ctx, 60)
    assert ctx.passages == []
    assert 55 <= prompting.content_tokens(ctx) <= 60
    assert ctx.transcript.text and TEXTS[0].startswith(ctx.transcript.text[:40])


def test_history_keeps_the_newest_turns_that_fit_exactly():
    history = [("user", t) if n % 2 == 0 else ("assistant", t) for n, t in enumerate(TEXTS)]
    newest_two = sum(tokens.count_tokens(t) + 3 for t in TEXTS[2:])
    ctx = prompting.PromptContext(course_title="C", history=history)
    kept = prompting._history_messages(ctx, newest_two)
    assert [m["content"] for m in kept] == TEXTS[2:]
    kept = prompting._history_messages(ctx, newest_two - 1)
    assert [m["content"] for m in kept] == TEXTS[3:]


def test_offline_provider_reports_real_token_usage():
    messages = [
        {"role": "system", "content": "You are a tutor."},
        {"role": "user", "content": "Hi"},
    ]
    request = ModelRequest(
        agent="chat",
        messages=messages,
        max_tokens=100,
        sources=_sources(TEXTS[:1]),
        params={"question": "Fotosynthese"},
    )
    completion = OfflineProvider().complete(request)
    # OpenAI's chat accounting: 3 tokens of framing per message and 3 to prime the reply.
    assert completion.tokens_in == (5 + 3) + (1 + 3) + 3
    assert completion.tokens_out == tokens.count_tokens(completion.text) > 0
