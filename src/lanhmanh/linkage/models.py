"""Deduplication runs, candidate pairs with their reviews, and reversible merges of persons."""

from __future__ import annotations

import hashlib
import json
import math

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.jobs import job_latest
from lanhmanh.core.models import Job, JobKind
from lanhmanh.core.scoping import PersonalDataManager


class RunStep(models.TextChoices):
    """The steps of a deduplication run (``linkage.services.run_execute``)."""

    READ = "read", _("Đọc hồ sơ")
    PREPARE = "prepare", _("Chuẩn bị và huấn luyện mô hình")
    BLOCKING = "blocking", _("Đếm số cặp theo từng luật chặn")
    SCORE = "score", _("Chấm điểm các cặp")
    MERGE = "merge", _("Hợp nhất các cặp chắc chắn")
    QUEUE = "queue", _("Lập hàng đợi xem xét")


# The job (core.models.Job) of a run. Not one transaction: merges are written a batch at a time, so a run
# cut short keeps the merges it made (each audited and undoable) and the next run goes on from there.
DEDUP_RUN_JOB = JobKind(
    code="linkage.dedup",
    label=_("Rà soát hồ sơ trùng"),
    steps=RunStep,
    spans={
        RunStep.READ: (5, 20),
        RunStep.PREPARE: (20, 30),
        RunStep.BLOCKING: (30, 50),
        RunStep.SCORE: (50, 75),
        RunStep.MERGE: (75, 95),
        RunStep.QUEUE: (95, 100),
    },
    what=_("việc rà soát"),
    interrupted=_(
        "Lần rà soát bị gián đoạn (tiến trình xử lý nền dừng): các cặp đã hợp nhất vẫn giữ nguyên; "
        "hãy bắt đầu lần rà soát mới."
    ),
)


class DedupRun(models.Model):
    """The results of one batch deduplication of the registry; its status, progress, owner and errors are
    its job's (``job``: a ``core.models.Job`` of kind ``DEDUP_RUN_JOB``)."""

    records = models.PositiveIntegerField(_("số hồ sơ"), default=0)
    auto_merged = models.PositiveIntegerField(_("số hồ sơ tự động hợp nhất"), default=0)
    queued = models.PositiveIntegerField(_("số cặp chờ xem xét"), default=0)
    # Issue #19: the pairs counted per blocking rule, and the precision and recall estimated from the
    # match probabilities (reviewers' decisions in place of the model where there are any).
    blocking = models.TextField(_("số cặp theo luật chặn"), blank=True)
    # The estimated precision the coordinator asked of the automatic merges (``services.AUTO_PRECISIONS``;
    # empty for runs made before it could be asked, which merged from 0.995), the threshold it chose and
    # how many of the automatic merges' pairs are expected to be wrong (pairs × (1 − estimated precision)).
    precision = models.FloatField(_("độ chính xác yêu cầu khi tự động hợp nhất"), null=True, blank=True)
    threshold = models.FloatField(_("ngưỡng tự động hợp nhất"), null=True, blank=True)
    expected_wrong = models.PositiveIntegerField(
        _("số cặp tự động hợp nhất ước tính sai"), null=True, blank=True
    )
    estimated_precision = models.FloatField(_("độ chính xác ước tính"), null=True, blank=True)
    estimated_recall = models.FloatField(_("độ phủ ước tính"), null=True, blank=True)
    labelled = models.PositiveIntegerField(_("số cặp đã có kết luận dùng trong ước tính"), default=0)
    model_version = models.ForeignKey(
        "linkage.ModelVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("lần rà soát trùng")
        verbose_name_plural = _("lần rà soát trùng")

    def __str__(self) -> str:
        return f"Lần rà soát #{self.pk}"

    @cached_property
    def job(self) -> Job | None:
        """The run's job (set by the services that create or list runs; read here otherwise)."""
        return job_latest(DEDUP_RUN_JOB, self.pk)


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xem xét")
    SAME = "same", _("Cùng một người")
    DIFFERENT = "different", _("Hai người khác nhau")
    UNSURE = "unsure", _("Chưa chắc chắn")


class ModelVersion(models.Model):
    """The parameters the queue is scored with, and what they were learned from (issue #19 item 3).

    Version 1 is the model a run scored with; each later version re-estimates the m probabilities
    (the chance of each comparison level among true matches) from reviewers' same/different decisions
    and re-scores the undecided pairs with them.
    """

    number = models.PositiveIntegerField(_("phiên bản"), unique=True)
    parameters = models.JSONField(_("tham số"), default=dict)  # {comparison label: {level label: m}}
    learned_from = models.JSONField(_("học từ các kết luận"), default=list)  # PairDecision ids
    same_count = models.PositiveIntegerField(_("số kết luận cùng một người"), default=0)
    different_count = models.PositiveIntegerField(_("số kết luận hai người khác nhau"), default=0)
    rescored = models.PositiveIntegerField(_("số cặp được chấm lại"), default=0)
    # A run's model: the matches it expects among the pairs it scored (Σ match probability), which the
    # decisions are weighed against when m is learned again (``services.relearned``).
    expected_matches = models.FloatField(_("số cặp trùng mô hình dự kiến"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("phiên bản mô hình liên kết")
        verbose_name_plural = _("phiên bản mô hình liên kết")

    def __str__(self) -> str:
        return f"Mô hình v{self.number}"


class ReviewKind(models.TextChoices):
    CLUSTER = "cluster", _("Xem xét một cụm")
    BATCH = "batch", _("Xác nhận hàng loạt theo mẫu")


class Review(models.Model):
    """One reviewer's act on a candidate cluster or a batch of pairs: its decisions and merges undo together."""

    kind = models.CharField(_("loại"), max_length=8, choices=ReviewKind.choices)
    pattern = models.CharField(_("mẫu"), max_length=40, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần xem xét hồ sơ trùng")
        verbose_name_plural = _("lần xem xét hồ sơ trùng")

    def __str__(self) -> str:
        return f"Lần xem xét #{self.pk}"

    @property
    def active(self) -> bool:
        return self.undone_at is None


class QueueState(models.Model):
    """One row: the number of the latest change to what the review queue is made of (pending pairs and
    their probabilities, decisions, merges). Every change adds one to it and writes a ``QueueChange``
    under the new number in the same transaction; the row's lock orders the changes as they commit. The
    queue kept in a process (``selectors.review_queue``) is brought up to this number by the changes
    after its own, so a page reads the queue once per process, not once per change or per page."""

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phiên bản hàng đợi xem xét")
        verbose_name_plural = _("phiên bản hàng đợi xem xét")

    def __str__(self) -> str:
        return f"Hàng đợi #{self.number}"


class QueueChangeKind(models.TextChoices):
    PAIRS = "pairs", _("Cặp thay đổi")
    PERSONS = "persons", _("Hồ sơ hợp nhất hoặc tách")
    RESCORED = "rescored", _("Chấm lại các cặp")
    ALL = "all", _("Thay đổi toàn bộ")


class QueueChange(models.Model):
    """One change to the review queue: the pairs or persons it touched (``ids``), a re-scoring (every
    pending pair of the queue's band and its new probability, ``ids`` and ``values`` packed as base64
    text: ``selectors.rescored_arrays``), or a change to everything (a run). Kept for a while: a process whose queue is older than the oldest one reads the
    queue again whole."""

    number = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=8, choices=QueueChangeKind.choices)
    ids = models.JSONField(default=list)
    values = models.JSONField(default=list)

    class Meta:
        ordering = ["number"]
        verbose_name = _("thay đổi hàng đợi xem xét")
        verbose_name_plural = _("thay đổi hàng đợi xem xét")

    def __str__(self) -> str:
        return f"Thay đổi hàng đợi #{self.number}"


def level_shift(row: dict, old, new) -> float:
    """How much one field's weight moves when m goes from ``old`` to ``new`` ({field: {level: m}}; u
    unchanged): log2(m new / m old) of the level the pair fell in (0 when either is unknown)."""
    m_old = old.get(row["field"], {}).get(row["level"])
    m_new = new.get(row["field"], {}).get(row["level"])
    return math.log2(m_new / m_old) if m_old and m_new else 0.0


def levels_key(explanation: list[dict]) -> str:
    """A short key of the comparison levels an explanation names (field and level, in order; not the
    weights): pairs with one key are re-scored alike when only m changes."""
    levels = json.dumps([[row["field"], row["level"]] for row in explanation], ensure_ascii=False)
    return hashlib.blake2b(levels.encode(), digest_size=12).hexdigest()


class CandidatePair(models.Model):
    """Two persons the engine could not decide on; one row per pair ever, so it is never asked twice."""

    run = models.ForeignKey(DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="pairs")
    person_a = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    match_probability = models.FloatField(_("xác suất trùng"))
    match_weight = models.FloatField(_("trọng số"))
    explanation = models.JSONField(_("giải thích"), default=list)
    status = models.CharField(
        _("kết luận"), max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING
    )
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # the version the weight and probability are under (none: version 1)
    # The version the explanation's per-field weights are under (none: ``model_version``'s): re-learning
    # re-scores the weight, not the explanation; the weights shown are shifted to the current version
    # (``explanation_now``).
    explanation_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # ``levels_key(explanation)``: pairs with the same key fell in the same comparison levels, so a
    # re-learned model moves their weights alike (``services.model_relearn`` re-scores them by key).
    levels_key = models.CharField(max_length=24, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["-match_probability", "id"]
        verbose_name = _("cặp hồ sơ nghi trùng")
        verbose_name_plural = _("cặp hồ sơ nghi trùng")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="candidate_pair_once"),
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="candidate_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"Cặp #{self.pk} (hồ sơ #{self.person_a_id} và #{self.person_b_id})"

    @property
    def explanation_now(self) -> list[dict]:
        """The explanation with each field's weight under the pair's current model version: the stored
        weight (under ``explanation_version``) + log2(m now / m then) of its level. Read with
        ``select_related("model_version", "explanation_version")`` (no query)."""
        if self.explanation_version_id is None or self.explanation_version_id == self.model_version_id:
            return self.explanation
        then = self.explanation_version.parameters
        now = self.model_version.parameters if self.model_version_id else {}
        return [{**row, "weight": row["weight"] + level_shift(row, then, now)} for row in self.explanation]


class PairDecision(models.Model):
    """A reviewer's decision on a pair (kept, even when a later decision replaces it)."""

    pair = models.ForeignKey(CandidatePair, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(_("kết luận"), max_length=10, choices=PairStatus.choices)
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("kết luận về cặp hồ sơ")
        verbose_name_plural = _("kết luận về cặp hồ sơ")

    def __str__(self) -> str:
        return f"Kết luận #{self.pk}"


class Merge(models.Model):
    """``merged`` folded into ``survivor``: which related rows moved, so an unmerge puts back exactly those."""

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=list)  # [[model label, pk, field name], …]
    pair = models.ForeignKey(
        CandidatePair, on_delete=models.PROTECT, null=True, blank=True, related_name="merges"
    )
    run = models.ForeignKey(DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, null=True, blank=True, related_name="merges")
    automatic = models.BooleanField(_("tự động"), default=False)
    # An automatic merge: the weakest link that joined the merged record to its survivor (the pair
    # probability at which their groups met); those below ``engine.UPPER_THRESHOLD`` are listed on the
    # run's page for a second look (``selectors.run_merges_to_check``).
    probability = models.FloatField(_("xác suất trùng"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PersonalDataManager()
    personal_data = True  # read through selectors only (core.scoping.PersonalDataManager)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hợp nhất hồ sơ")
        verbose_name_plural = _("hợp nhất hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="merge_one_active_per_person"
            ),
            models.CheckConstraint(condition=~Q(survivor=F("merged")), name="merge_two_persons"),
        ]

    def __str__(self) -> str:
        return f"Hợp nhất #{self.pk}: hồ sơ #{self.merged_id} vào #{self.survivor_id}"

    @property
    def active(self) -> bool:
        return self.undone_at is None
