"""Build a large, realistic history through the store's own import code, and time it.

    python benchmarks/seed.py --db /tmp/big.db --conversations 10000 --messages 20

Messages have Markdown, code blocks, reasoning, usage and a few branches (regenerated replies);
titles and dates vary; a third of the conversations are in Chinese (seed_zh.py). The same --seed
gives the same history. The target is the store's write rate: 30,000 messages per second or
more (issue 19), on a machine where a bare Textual app starts in 0.19 s.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _common  # noqa: F401 - puts the checkout on sys.path
import seed_zh
from figures import Figure, record

from glm_tui.store import EXPORT_FORMAT, EXPORT_VERSION, Store

TARGET_RATE = 30_000.0
BATCH = 250  # conversations per import transaction


def _words(text: str) -> list[str]:
    return text.split()


TOPICS: dict[str, tuple[str, list[str]]] = {
    "python": ("python", ["asyncio", "dataclass", "decorator", "generator", "pytest", "typing"]),
    "rust": ("rust", ["lifetime", "borrow checker", "trait", "tokio", "cargo", "iterator"]),
    "sql": ("sql", ["index", "query planner", "join", "transaction", "sqlite", "postgres"]),
    "javascript": ("javascript", ["promise", "closure", "react hook", "bundler", "npm", "fetch"]),
    "shell": ("bash", ["pipeline", "awk", "sed", "cron job", "environment variable", "rsync"]),
    "go": ("go", ["goroutine", "channel", "interface", "context", "module", "defer"]),
    "docker": ("dockerfile", ["container", "image layer", "volume", "compose file", "registry"]),
    "kubernetes": ("yaml", ["deployment", "service", "ingress", "helm chart", "pod", "configmap"]),
    "math": ("python", ["eigenvalue", "matrix", "integral", "probability", "gradient", "proof"]),
    "cooking": ("", ["risotto", "sourdough", "pasta sauce", "marinade", "crème brûlée", "ramen"]),
    "travel": ("", ["itinerary", "Kyoto", "train pass", "visa", "budget", "Lisbon"]),
    "writing": ("", ["cover letter", "essay outline", "haiku", "short story", "résumé"]),
    "finance": ("", ["budget", "index fund", "mortgage", "compound interest", "tax return"]),
    "git": ("bash", ["rebase", "merge conflict", "cherry-pick", "bisect", "submodule", "stash"]),
}

TITLE_TEMPLATES = [
    "How to use {kw} in {topic}",
    "Debugging a {kw} problem",
    "{Kw} explained",
    "Question about {kw}",
    "Best practices for {kw}",
    "Why is my {kw} slow?",
    "Comparing {kw} approaches",
    "{Kw}: a quick overview",
    "Help with {topic} {kw}",
    "Planning: {kw}",
]
QUESTIONS = [
    "How do I use {kw} in {topic}? I keep getting confused about the details.",
    "Can you explain {kw} with a short example?",
    "My {kw} fails with error E{n}. What am I doing wrong?",
    "What is the difference between {kw} and {kw2}?",
    "Could you review this approach to {kw} and suggest improvements?",
    "Give me a step by step plan for {kw}, please.",
    "Why does {kw} behave differently on my machine (ticket #{n})?",
    "Is there a faster way to handle {kw} when the input is large?",
    "Write a small example of {kw} that I can run locally.",
    "Thanks! And how would {kw2} fit into this?",
]
NOUNS = _words(
    "value list table file path setting error message test result function method object "
    "cache buffer request response server client thread process queue database schema column "
    "record field string number loop branch module package library framework tool command "
    "argument parameter option flag variable constant type class instance interface pattern "
    "version release update dependency build pipeline deployment config log metric trace "
    "timeout retry limit budget plan step goal idea draft outline example detail summary "
    "recipe ingredient oven flavour texture dough sauce spice kitchen ticket station museum "
    "hotel neighbourhood morning evening weekend season price account payment balance rate"
)
VERBS = _words(
    "check use write read parse build run test measure compare cache store load save split "
    "merge sort filter map reduce wrap handle raise return catch log print format validate "
    "refactor rename move copy delete create install configure deploy restart monitor profile "
    "simplify document review explain prepare bake stir season book visit plan choose avoid"
)
ADJECTIVES = _words(
    "simple clear fast slow large small empty full stale fresh safe unsafe explicit implicit "
    "common rare stable flaky shared local remote nested flat strict lenient cheap expensive "
    "readable verbose concise robust fragile lazy eager warm crisp tender quiet busy"
)
SENTENCES = [
    "You can {verb} the {noun} with {kw} to keep the {noun2} {adj}.",
    "If the {noun} is {adj}, {verb} it before you {verb2} the {noun2}.",
    "The main idea of {kw} is to {verb} each {noun} only once.",
    "In most cases a {adj} {noun} is easier to {verb} than a {adj2} one.",
    "A common mistake is to {verb} the {noun} inside the {noun2}.",
    "This works because {kw} does not {verb} the {noun} until it is needed.",
    "Note that {kw} and {kw2} solve different problems.",
    "For a {adj} {noun}, prefer to {verb} it explicitly.",
    "Try to {verb} the {noun} first, then measure the {noun2} again.",
    "The error E{n} usually means the {noun} was {adj} when you tried to {verb} it.",
    "After that, {verb} the {noun2} and check the {noun} once more.",
    "In version {v} the default {noun} became {adj}, which surprises many people.",
    "It is worth adding a test that will {verb} a {adj} {noun}.",
    "When the {noun} grows large, {kw} keeps the {noun2} {adj}.",
    "Keep the {noun} {adj} and the rest usually follows.",
]
UNICODE = ["café", "naïve", "façade", "日本語", "Привет", "straße", "😀", "déjà vu", "中文"]
UNICODE += ["한국어", "カタカナ"]
REASONING_OPENERS = [
    "The user is asking about {kw} in the context of {topic}.",
    "Let me think about what {kw} actually requires here.",
    "First I should check whether the problem is {kw} or {kw2}.",
    "They mentioned error E{n}, which usually points to {kw}.",
    "I want to give a concrete example rather than a vague answer about {kw}.",
]
REASONING_STEPS = [
    "A good answer starts with the core idea, then shows code, then lists pitfalls.",
    "I should mention {kw2} briefly because it is a common source of confusion.",
    "Edge cases: empty input, very large input, and concurrent access.",
    "Maybe compare two approaches and recommend one with a reason.",
    "Keep it short; the user can ask for more detail.",
    "Double-check the syntax of the example before writing it.",
    "I recall that {kw} changed behaviour in recent versions, so I will note the version.",
]
CODE = {
    "python": "def handle_{ident}(items: list[str]) -> dict[str, int]:\n"
    "    counts: dict[str, int] = {{}}\n    for item in items:\n"
    "        counts[item] = counts.get(item, 0) + 1\n    return counts\n",
    "rust": "fn handle_{ident}(items: &[String]) -> usize {{\n"
    "    items.iter().filter(|s| !s.is_empty()).count()\n}}\n",
    "sql": "CREATE INDEX idx_{ident} ON orders(customer_id, created_at);\n"
    "SELECT customer_id, count(*) FROM orders GROUP BY customer_id ORDER BY 2 DESC LIMIT 10;\n",
    "javascript": "async function handle_{ident}(url) {{\n"
    "  const response = await fetch(url);\n  return response.json();\n}}\n",
    "bash": "for f in *.log; do\n  grep -c 'ERROR {n}' \"$f\"\ndone | sort -n | tail -5\n",
    "go": "func handle_{ident}(ctx context.Context, ch <-chan int) int {{\n"
    "\ttotal := 0\n\tfor v := range ch {{\n\t\ttotal += v\n\t}}\n\treturn total\n}}\n",
    "dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
    'RUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app_{ident}.py"]\n',
    "yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{ident}\n"
    "spec:\n  replicas: 3\n",
}


@dataclass(frozen=True)
class Language:
    """The words and templates of one language; every template has the same slots."""

    name: str
    keywords: dict[str, list[str]]  # per topic
    topic_names: dict[str, str]
    titles: list[str]
    questions: list[str]
    nouns: list[str]
    verbs: list[str]
    adjectives: list[str]
    sentences: list[str]
    openers: list[str]
    steps: list[str]
    heading: str
    between_sentences: str
    aside: str  # a word of another script at the end of a sentence: "{text} ({word})."
    asides: list[str]


ENGLISH = Language(
    name="en",
    keywords={topic: kws for topic, (_lang, kws) in TOPICS.items()},
    topic_names={topic: topic for topic in TOPICS},
    titles=TITLE_TEMPLATES, questions=QUESTIONS,
    nouns=NOUNS, verbs=VERBS, adjectives=ADJECTIVES, sentences=SENTENCES,
    openers=REASONING_OPENERS, steps=REASONING_STEPS, heading="{Kw} in practice",
    between_sentences=" ", aside="{text} ({word}).", asides=UNICODE,
)  # fmt: skip
CHINESE = Language(
    name="zh",
    keywords=seed_zh.TOPICS, topic_names=seed_zh.TOPIC_NAMES,
    titles=seed_zh.TITLE_TEMPLATES, questions=seed_zh.QUESTIONS,
    nouns=seed_zh.NOUNS, verbs=seed_zh.VERBS, adjectives=seed_zh.ADJECTIVES,
    sentences=seed_zh.SENTENCES, openers=seed_zh.REASONING_OPENERS,
    steps=seed_zh.REASONING_STEPS, heading=seed_zh.HEADING,
    between_sentences="", aside="{text}（{word}）。",
    asides=["Python", "café", "日本語", "こんにちは", "カタカナ", "안녕하세요", "😀"],
)  # fmt: skip
LANGUAGES = (ENGLISH, CHINESE)
CHINESE_SHARE = 1 / 3  # of the conversations, unless --chinese says otherwise


class Generator:
    """Deterministic text: every choice comes from one seeded random.Random."""

    def __init__(self, seed: int, chinese_share: float = CHINESE_SHARE) -> None:
        self.rng = random.Random(seed)
        self.chinese_share = chinese_share
        self.topics = list(TOPICS)
        # Zipf-like word choice: the first words of each list are far more common. The weights
        # depend only on the length of the list.
        self.cum = {
            len(words): list(itertools.accumulate(1.0 / (i + 1) for i in range(len(words))))
            for language in LANGUAGES
            for words in (language.nouns, language.verbs, language.adjectives)
        }
        # Pools of sentences per topic, built once: picking from them keeps generating 200,000
        # messages cheap, while numbers and identifiers in them keep the vocabulary large.
        self.pools = {
            (language.name, topic): [self._make_sentence(language, topic) for _ in range(2000)]
            for language in LANGUAGES
            for topic in TOPICS
        }

    def _fill(self, language: Language, template: str, topic: str) -> str:
        rng = self.rng
        kws = language.keywords[topic]
        kw = rng.choice(kws)
        name = kw.split()[0].lower() if kw.isascii() else topic
        return template.format(
            kw=kw, Kw=kw[:1].upper() + kw[1:], kw2=rng.choice(kws),
            topic=language.topic_names[topic], n=rng.randrange(100, 99_999),
            ident=f"{name}_{rng.randrange(1000)}",
        )  # fmt: skip

    def _word(self, words: list[str]) -> str:
        return self.rng.choices(words, cum_weights=self.cum[len(words)])[0]

    def _make_sentence(self, language: Language, topic: str) -> str:
        rng = self.rng
        kws = language.keywords[topic]
        nouns, verbs, adjectives = language.nouns, language.verbs, language.adjectives
        text = rng.choice(language.sentences).format(
            kw=rng.choice(kws), kw2=rng.choice(kws), n=rng.randrange(100, 99_999),
            noun=self._word(nouns), noun2=self._word(nouns),
            verb=self._word(verbs), verb2=self._word(verbs),
            adj=self._word(adjectives), adj2=self._word(adjectives),
            v=f"{rng.randrange(1, 5)}.{rng.randrange(20)}",
        )  # fmt: skip
        if rng.random() < 0.05:
            text = language.aside.format(text=text[:-1], word=rng.choice(language.asides))
        return text[:1].upper() + text[1:]

    def _sentences(self, language: Language, topic: str, k: int) -> str:
        pool = self.pools[language.name, topic]
        return language.between_sentences.join(self.rng.choices(pool, k=k))

    def title(self, language: Language, topic: str) -> str:
        return self._fill(language, self.rng.choice(language.titles), topic)

    def question(self, language: Language, topic: str) -> str:
        text = self._fill(language, self.rng.choice(language.questions), topic)
        if self.rng.random() < 0.4:
            more = self._sentences(language, topic, self.rng.randrange(1, 4))
            text += language.between_sentences + more
        return text

    def reasoning(self, language: Language, topic: str) -> str:
        rng = self.rng
        parts = [self._fill(language, rng.choice(language.openers), topic)]
        parts += [self._fill(language, rng.choice(language.steps), topic) for _ in range(3)]
        parts.append(self._sentences(language, topic, rng.randrange(2, 8)))
        return language.between_sentences.join(parts)

    def answer(self, language: Language, topic: str) -> str:
        rng = self.rng
        lang = TOPICS[topic][0]
        pool = self.pools[language.name, topic]
        out = [self._sentences(language, topic, rng.randrange(2, 7))]
        out.append(f"## {self._fill(language, language.heading, topic)}")
        out.append("\n".join(f"- {s}" for s in rng.choices(pool, k=rng.randrange(2, 6))))
        if lang:
            code = self._fill(language, CODE[lang], topic)
            out.append(f"```{lang}\n{code}```")
        else:
            out.append("\n".join(f"{i}. {s}" for i, s in enumerate(rng.choices(pool, k=3), 1)))
        out.append(self._sentences(language, topic, rng.randrange(2, 7)))
        return "\n\n".join(out)

    def conversation(
        self, index: int, n_messages: int, start: datetime, language: Language | None = None
    ) -> dict[str, Any]:
        rng = self.rng
        if language is None:
            language = CHINESE if rng.random() < self.chinese_share else ENGLISH
        topic = rng.choice(self.topics)
        when = start
        messages: list[dict[str, Any]] = []
        parent: int | None = None
        last_user: int | None = None
        prompt_tokens = 0
        branch_at = rng.randrange(n_messages) if rng.random() < 0.15 else -1
        for i in range(n_messages):
            mid = i + 1
            when += timedelta(seconds=rng.randrange(5, 400))
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            if i == branch_at and last_user is not None and messages[-1]["role"] == "assistant":
                parent = last_user  # a regenerated reply: a sibling of the previous answer
            role = "assistant" if parent is not None and parent == last_user else "user"
            message: dict[str, Any] = {"id": mid, "parent_id": parent, "role": role}
            if role == "user":
                message.update(content=self.question(language, topic), created_at=stamp)
                last_user = mid
            else:
                content = self.answer(language, topic)
                reasoning = self.reasoning(language, topic)
                prompt_tokens += 40 + len(content) // 4
                completion = len(content) // 4 + len(reasoning) // 4
                status = rng.choices(("complete", "stopped", "error", "truncated"), (96, 2, 1, 1))[
                    0
                ]
                message.update(
                    content=content,
                    reasoning=reasoning,
                    status=status,
                    finish_reason={"complete": "stop", "truncated": "length"}.get(status),
                    error="The provider is overloaded (HTTP 529)." if status == "error" else None,
                    model="zhipu/glm-4.7",
                    usage={
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": completion,
                        "total_tokens": prompt_tokens + completion,
                        "cached_tokens": prompt_tokens // 2,
                        "reasoning_tokens": len(reasoning) // 4,
                        "usd": round((prompt_tokens * 0.6 + completion * 2.2) / 1e6, 8),
                    },
                    created_at=stamp,
                    duration=round(rng.uniform(1.0, 40.0), 3),
                )
            messages.append(message)
            parent = mid
        return {
            "title": self.title(language, topic),
            "provider": rng.choice(("aimlapi", "aimlapi", "zai")),
            "model": "zhipu/glm-4.7",
            "system_prompt": "You are a concise assistant." if rng.random() < 0.2 else None,
            "settings": {"thinking": True, "temperature": rng.choice((0.6, 0.7, 1.0))},
            "created_at": messages[0]["created_at"] if messages else start.isoformat(),
            "updated_at": messages[-1]["created_at"] if messages else start.isoformat(),
            "current_leaf_id": messages[-1]["id"] if messages else None,
            "messages": messages,
        }


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path, help="database file to create")
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=20, help="messages per conversation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.add_argument(
        "--chinese", type=float, default=CHINESE_SHARE, help="share of conversations in Chinese"
    )
    args = parser.parse_args(argv)
    if args.db.exists():
        if not args.force:
            print(f"error: {args.db} exists (use --force to replace it)", file=sys.stderr)
            return 1
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)

    gen = Generator(args.seed, args.chinese)
    # Spread over two years before a fixed day, so the same seed gives the same dates.
    end = datetime(2025, 6, 1, tzinfo=UTC)
    starts = sorted(
        end - timedelta(seconds=gen.rng.randrange(730 * 86_400)) for _ in range(args.conversations)
    )
    generate_s = store_s = 0.0
    total = chinese = 0
    wall = time.perf_counter()
    store = Store.open(args.db)
    for first in range(0, args.conversations, BATCH):
        t0 = time.perf_counter()
        batch = [
            gen.conversation(i, args.messages, starts[i])
            for i in range(first, min(first + BATCH, args.conversations))
        ]
        t1 = time.perf_counter()
        store.import_data(
            {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "conversations": batch}
        )
        t2 = time.perf_counter()
        generate_s += t1 - t0
        store_s += t2 - t1
        total += sum(len(c["messages"]) for c in batch)
        chinese += sum(len(c["messages"]) for c in batch if _is_chinese(c["title"]))
    # Closing checkpoints what is left in the write-ahead log: part of the store's work.
    t0 = time.perf_counter()
    store.close()
    store_s += time.perf_counter() - t0
    wall = time.perf_counter() - wall
    size_mb = (
        sum(
            Path(f"{args.db}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{args.db}{s}").exists()
        )
        / 1e6
    )
    print(f"seeded {args.db}: {args.conversations:,} conversations, {total:,} messages "
          f"({chinese:,} in Chinese), {size_mb:,.0f} MB")  # fmt: skip
    print(f"generating text: {generate_s:.2f} s; store: {store_s:.2f} s; wall: {wall:.2f} s")
    rate = total / store_s if store_s else float("inf")
    record(Figure("seed_rate", "seeding: store write rate", rate, "msg/s", TARGET_RATE, True))
    overall = total / wall if wall else float("inf")
    print(f"     (end to end, text generation included: {overall:,.0f} msg/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
