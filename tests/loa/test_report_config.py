"""`report:` in config.yaml: the yearly report's signer and recipients, the province's and a
department's own, checked with Vietnamese-first errors that name the key and its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from loa.config import load_config
from loa.report_formalities import formalities_for
from reports.wording import Formalities
from tests.loa.test_config import BASE, BUILTIN, ROOT, load_text, problems


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


PROVINCE = """\
report:
  signer_title: [KT. CHỦ TỊCH, PHÓ CHỦ TỊCH]
  recipients: ["- Thường trực HĐND tỉnh (để báo cáo);", "CT và các PCT UBND tỉnh"]
  plan_date: 2021-08-05
"""
TOURISM = BASE.replace(
    '  - {code: SDL, name_vi: "Sở Du lịch", name_en: "Department of Tourism"}\n',
    '  - code: SDL\n    name_vi: "Sở Du lịch"\n    name_en: "Department of Tourism"\n'
    '    report: {signer_title: "GIÁM ĐỐC", signer_name: "  Trần   Thị Bích Hằng "}\n',
)


@pytest.mark.usefixtures("in_tmp")
def test_the_province_and_a_department_each_sign_their_own() -> None:
    config = load_text(TOURISM + PROVINCE)
    assert formalities_for(config, None) == Formalities(
        signer_title=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
        recipients=("Thường trực HĐND tỉnh (để báo cáo)", "CT và các PCT UBND tỉnh"),
        plan_date=date(2021, 8, 5),
    )
    # A department's report: its own signer, the province's plan date, its code on file.
    assert formalities_for(config, "SDL") == Formalities(
        signer_title=("GIÁM ĐỐC",),
        signer_name="Trần Thị Bích Hằng",
        filed_by="SDL",
        plan_date=date(2021, 8, 5),
    )
    # A department without settings of its own gets the fill-ins, not the province's signer.
    assert formalities_for(config, "STTTT") == Formalities(
        filed_by="STTTT", plan_date=date(2021, 8, 5)
    )


@pytest.mark.usefixtures("in_tmp")
def test_without_the_section_everything_is_left_to_fill_in() -> None:
    assert formalities_for(load_text(BASE), None) == Formalities()


@pytest.mark.usefixtures("in_tmp")
@pytest.mark.parametrize(
    ("section", "where", "words"),
    [
        ("report:\n  signer_title: [A, B, C, D]\n", "report.signer_title",
         "chức vụ người ký: từ 1 đến 3 dòng"),
        ("report:\n  signer_title: 12\n", "report.signer_title",
         "chức vụ người ký: ghi một dòng chữ hoặc một danh sách / the signer's title"),
        ("report:\n  signer_name: '  '\n", "report.signer_name", "họ tên người ký: một dòng chữ"),
        ("report:\n  recipients: ['Sở Du lịch', '- ;']\n", "report.recipients",
         "nơi nhận: có dòng trống / the recipients"),
        ("report:\n  recipients: []\n", "report.recipients", "nơi nhận: từ 1 đến 12 dòng"),
        ("report:\n  plan_date: 05/08/2021\n", "report.plan_date",
         "ngày ban hành kế hoạch: ghi YYYY-MM-DD, không phải '05/08/2021'"),
        ("report:\n  signer: Nguyễn Văn A\n", "report.signer",
         "unknown key; did you mean 'signer_name'?"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_naming_the_key(section: str, where: str, words: str) -> None:
    found = problems(BASE + section)
    key_line = BASE.count("\n") + 2  # the line under "report:"
    assert any(f"config.yaml:{key_line}: {where}: " in line and words in line for line in found), (
        found
    )


@pytest.mark.usefixtures("in_tmp")
def test_a_departments_bad_setting_names_the_department() -> None:
    text = TOURISM.replace('signer_title: "GIÁM ĐỐC"', "signer_title: [GIÁM ĐỐC, '']")
    found = problems(text)
    assert any("departments[1].report.signer_title: chức vụ người ký" in line for line in found)


def test_the_shipped_config_sets_the_provinces_signer_title() -> None:
    config = load_config(ROOT / "config.yaml", channel_types=BUILTIN)
    found = formalities_for(config, None)
    assert found.signer_title == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH") and found.recipients
    assert found.signer_name == "" and found.plan_date is None  # left to be filled in
