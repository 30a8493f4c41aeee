"""What the instructor reads is safe whatever a submission holds, and make grade's default parallelism.

- the terminal and the CSV: escape codes, format characters and lone surrogates shown as escapes, no formula;
- folder names nbgrader or the formgrader would misread are refused, with the reason;
- the CSV export survives corrupt, oversized, linked and hostile grading reports;
- the formgrader's and the feedback's HTML: a notebook with markup in every place a student controls
  (markdown, raw cells, outputs of every type, output and cell metadata, attachments; nbformat's schema
  already restricts cell ids) rendered
  through nbgrader's own templates with the course's configuration shows it all as text; the formgrader
  shows the rubric, the feedback neither the rubric nor the hidden tests;
- a lone surrogate no longer makes a graded notebook unwritable;
- ``make grade``'s default number of processes follows the work.
"""

from __future__ import annotations

import base64
import csv
import json
import os

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbgrader.api import Gradebook
from nbgrader.server_extensions.formgrader import handlers

from conftest import ROOT, tool_env
from html_audit import PAYLOAD, audit
from course_lib.grading.course import load_config, submissions, unsafe_name
from course_lib.grading.escape import WritableText, spreadsheet, terminal
from course_lib.grading.export import MAX_REPORT_BYTES, FlaggedCsvExportPlugin
from course_lib.grading.views import HideFromStudents
from course_lib.grading.workflow import default_jobs

A = "02-one-step-rule"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


def test_terminal_text_shows_control_format_and_surrogate_characters_as_escapes():
    assert terminal("ada\x1b[1A\x1b[2K\r\n\u202eevil\udcff\u200bok é 🙂") == \
        "ada\\x1b[1A\\x1b[2K\\x0d\\x0a\\u202eevil\\udcff\\u200bok é 🙂"
    terminal("\udcff").encode("utf-8")  # printable: no lone surrogate left


def test_spreadsheet_cells_are_never_formulas_and_numbers_stay_numbers():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "＝1", "=HYPERLINK(\"http://x\")"):
        assert spreadsheet(text) == "'" + text
    assert spreadsheet("\t=1") == "\\x09=1" and spreadsheet("ada") == "ada"
    assert [spreadsheet(v) for v in (8.0, -1.5, True, None)] == [8.0, -1.5, True, None]


def test_folder_names_nbgrader_or_the_formgrader_would_misread_are_refused(tmp_path):
    assert unsafe_name("ada") is None and unsafe_name("=SUM(1+1)") is None and unsafe_name("zoë.b-2@x") is None
    assert "control" in unsafe_name("a\x1b[2Kb") and "control" in unsafe_name("a\udcffb")
    assert "markup" in unsafe_name("<img src=x onerror=alert(1)>") and "markup" in unsafe_name("o'brien")
    assert "pattern" in unsafe_name("a*") and "space" in unsafe_name(" ada")
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (tmp_path / "solutions" / A).mkdir(parents=True)
    (tmp_path / "solutions" / A / f"{A}.ipynb").write_text("{}")
    for name in ("ada", "b*", ".ipynb_checkpoints"):
        (tmp_path / "submitted" / name / A).mkdir(parents=True)
    (tmp_path / "submitted" / "ada" / "not-an-assignment").mkdir()
    (tmp_path / "submitted" / "eve").mkdir()
    (tmp_path / "submitted" / "eve" / A).symlink_to(tmp_path / "solutions" / A)
    (tmp_path / "submitted" / "fay").symlink_to(tmp_path / "submitted" / "ada")
    coursedir = _coursedir(tmp_path)
    found, refused = submissions(coursedir)
    assert found == [(A, "ada")]
    assert [(s, a) for a, s, _ in refused] == [("ada", "not-an-assignment"), ("b*", A), ("eve", A), ("fay", "")]
    assert "symbolic link" in refused[2][2] and "symbolic link" in refused[3][2]
    assert "not an assignment" in refused[0][2]


def _coursedir(root):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=load_config(root))


def test_the_csv_export_survives_hostile_and_broken_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", tool_env()["PATH"])  # nbgrader runs alembic to create a gradebook
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    students = {"=HYPERLINK(\"http://evil\")": {"flags": ["=cmd|' /C calc'!A0", "\x1b[1A\x1b[2Kfake", "\ud800",
                                                           "\u202eevil", "reference-implementation-used"]},
                "bob": "{ not json", "cyd": {"flags": "not a list"}, "dan": " " * (MAX_REPORT_BYTES + 1),
                "eve": "link", "fay": json.dumps({"flags": [["nested"]]}), "gus": None}
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_assignment(A)
        gb.add_notebook(A, A)
        for student, report in students.items():
            gb.add_student(student, first_name="+1", last_name="@me")
            gb.add_submission(A, student)
            folder = tmp_path / "autograded" / student / A
            folder.mkdir(parents=True)
            (folder / f"{A}.ipynb").write_text("{}")
            path = folder / f"{A}.grading.json"
            if report == "link":
                path.symlink_to("/dev/zero")
            elif isinstance(report, str):
                path.write_text(report)
            elif report is not None:
                path.write_text(json.dumps(report))  # ensure_ascii: the lone surrogate as \\ud800
        config = load_config(tmp_path)
        FlaggedCsvExportPlugin(config=config, to=str(tmp_path / "grades.csv")).export(gb)
    raw = (tmp_path / "grades.csv").read_text(encoding="utf-8")
    assert "\x1b" not in raw and "\u202e" not in raw
    table = list(csv.DictReader(raw.splitlines()))
    for row in table:
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values()), row
    flags = {r["student_id"]: r["flags"] for r in table}
    assert set(flags["'=HYPERLINK(\"http://evil\")"].split(";")) == {
        "=cmd|' /C calc'!A0", "\\x1b[1A\\x1b[2Kfake", "\\u202eevil", "\\ud800", "reference-implementation-used"}
    assert [flags[s] for s in ("bob", "cyd", "dan", "eve", "fay")] == ["report-unreadable"] * 5
    assert flags["gus"] == "not-graded"


def _hostile_notebook():
    """An autograded notebook with markup wherever a student can put it."""
    js = f"alert('{PAYLOAD}')"
    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": f"python\" onload=\"{js}"},
                                            "title": f"<script>{js}</script>"})
    written = nbformat.v4.new_markdown_cell(
        f"<img src=x onerror=\"{js}\"> [a](javascript:{js}) [b](data:text/html,{PAYLOAD}) ![c](attachment:gone.png) "
        f"![d](attachment:page.png) $\\href{{javascript:{js}}}{{x}}$ $\\style{{color:red}}{{{PAYLOAD}}}$\n\n"
        f"<style>body {{ background: url({PAYLOAD}) }}</style><iframe src=\"{PAYLOAD}\"></iframe>\n\n"
        f"```mermaid\n<img src=x onerror=\"{js}\">\n```\n\n# written_apply_now",
        metadata={"nbgrader": {"grade": True, "solution": True, "grade_id": "written_apply_now", "points": 2,
                               "locked": False, "schema_version": 3}},
        attachments={"page.png": {"text/html": f"<script>{js}</script>"}})
    raw = nbformat.v4.new_raw_cell(f"<script>{js}</script>", metadata={"raw_mimetype": "text/html"})
    code = nbformat.v4.new_code_cell("print(1)", metadata={"tags": [f"x\" onmouseover=\"{js}"],
                                                           "nbgrader": {"grade_id": f"x\" onclick=\"{js}"}})
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": f"<script>{js}</script><b onclick=\"{js}\">b</b>",
                                                     "text/plain": "html"}),
        nbformat.v4.new_output("display_data", data={"image/png": PNG},
                               metadata={"image/png": {"width": f"1 onerror={js}", "height": 3}}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": f"<svg onload=\"{js}\"></svg>",
                                                     "application/javascript": js,
                                                     "text/latex": f"$\\href{{javascript:{js}}}{{x}}$"}),
        nbformat.v4.new_output("execute_result", data={"text/markdown": f"<img src=x onerror=\"{js}\">"},
                               execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text=f"\x1b[1A\x1b[2K<script>{js}</script>"),
        nbformat.v4.new_output("error", ename="Error", evalue=f"<script>{js}</script>",
                               traceback=[f"<img src=x onerror=\"{js}\">"]),
    ]
    test = nbformat.v4.new_code_cell(
        "checks.check_slip(x2_slip, eps2_needed)\n### BEGIN HIDDEN TESTS\nhidden.value(x2_slip, atol=6e-5)\n"
        "### END HIDDEN TESTS",
        metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "test_slip", "points": 2,
                               "locked": True, "schema_version": 3}})
    test.outputs = [nbformat.v4.new_output("error", ename="HiddenTestFailed", evalue="hidden test 1 of 1",
                                           traceback=["hidden.value(x2_slip, atol=6e-5) <- here"])]
    nb.cells = [written, raw, code, test]
    return nb


def _render(nb, template: str, resources: dict, extra_preprocessors=()) -> str:
    config = load_config(ROOT)
    config.HTMLExporter.template_name = template
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    # the stylesheet nbgrader's GenerateFeedback adds
    config.HTMLExporter.extra_template_paths = [os.path.join(handlers.static_path, "node_modules", "bootstrap",
                                                             "dist", "css")]
    exporter = HTMLExporter(config=config)
    for preprocessor in extra_preprocessors:
        exporter.register_preprocessor(preprocessor(config=config), enabled=True)
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return html


def test_formgrader_view_shows_markup_as_text_and_the_rubric():
    resources = {"assignment_id": A, "notebook_id": A, "submission_id": "1", "index": 0, "total": 1,
                 "base_url": "", "student": "s", "last_name": "", "first_name": "", "notebook_path": ""}
    text = audit(_render(_hostile_notebook(), "formgrade", resources))
    assert "Model answer and rubric for written_apply_now" in text and "Rubric:" in text
    assert "<img src=x onerror=" in text and "BEGIN HIDDEN TESTS" in text


class _Grades(Preprocessor):
    """What nbgrader's GetGrades adds from the gradebook: each graded cell's score, a grader's comment."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["score"] = 0.0
        if meta.get("solution"):
            meta["comment"] = f"<img src=x onerror=\"alert('{PAYLOAD}')\">"
        return cell, resources


def test_feedback_view_shows_markup_as_text_without_rubric_or_hidden_tests():
    resources = {"nbgrader": {"notebook": A, "score": 0, "max_score": 4, "late_penalty": 0,
                              "student": "s", "assignment": A}}
    text = audit(_render(_hostile_notebook(), "feedback", resources, [_Grades, HideFromStudents]))
    assert "<img src=x onerror=" in text
    assert "Model answer" not in text and "BEGIN HIDDEN TESTS" not in text and "hidden.value" not in text
    assert "hidden tests: not shown" in text and "HiddenTestFailed: hidden test 1 of 1" in text


def test_hidden_tests_can_be_shown_in_the_feedback_by_configuration():
    config = load_config(ROOT)
    config.HideFromStudents.hidden_tests = False
    cell = _hostile_notebook().cells[3]
    shown, _ = HideFromStudents(config=config).preprocess_cell(cell, {}, 0)
    assert "hidden.value(x2_slip" in shown.source


def test_a_lone_surrogate_anywhere_no_longer_makes_the_notebook_unwritable():
    nb = _hostile_notebook()
    nb.cells[0].source += "\ud800"
    nb.cells[2].outputs[4].text += "\udcff"
    nb.metadata["\ud801"] = ["\ud802"]
    fixed, _ = WritableText().preprocess(nb, {})
    nbformat.writes(fixed).encode("utf-8")
    assert fixed.cells[0].source.endswith("\ufffd") and fixed.metadata["\ufffd"] == ["\ufffd"]


@pytest.mark.parametrize("autograde, feedback_only, cpus, expected", [
    (0, 0, 2, 1),     # nothing to do: no worker
    (3, 0, 2, 1),     # a class of 3: serial (starting workers would cost what they save)
    (4, 0, 2, 2), (50, 0, 2, 2), (50, 0, 16, 4), (50, 0, 1, 1),
    (0, 12, 2, 1), (0, 24, 2, 2),  # feedback only: cheaper per submission
])
def test_default_jobs_follow_the_work(autograde, feedback_only, cpus, expected):
    assert default_jobs(autograde, feedback_only, cpus=cpus) == expected
