"""Reading invitation titles (issue 11.6): real-shaped titles from Google, Outlook, Calendly,
Greenhouse and Lever invitations, and the company names people write."""

from __future__ import annotations

import pytest

from tracker.domain.companies import company_key, domain_label, match_company
from tracker.domain.invite_titles import TitleParts, read_title, stage_of

# title, people on it, the user's companies, attendees' domain labels -> role, company, source, stage
TITLES = [
    pytest.param(
        "Maya Okafor <> Lumen Health | Senior Product Analyst – Hiring Manager Interview",
        ["Maya Okafor", "Dana Reyes"], ["Lumen Health"], ["lumenhealth"],
        ("Senior Product Analyst", "Lumen Health", "known", "hiring_manager"), id="google <> | – hiring manager"),
    pytest.param(
        "Maya Okafor <> Lumen Health | Senior Product Analyst – Hiring Manager Interview",
        ["Dana Reyes"], [], ["lumenhealth"],
        ("Senior Product Analyst", "Lumen Health", "domain", "hiring_manager"), id="company only from the domain"),
    pytest.param(
        "Interview: Senior Engineer – Acme (Priya Raman)", ["Priya Raman", "Tomás Ortega"], [], ["acme"],
        ("Senior Engineer", "Acme", "domain", "other"), id="Interview: role – company (person)"),
    pytest.param(
        "Initech – Senior Engineer – Round 2", ["Linh Nguyen", "Sam Lee"], ["Initech"], ["initech"],
        ("Senior Engineer", "Initech", "known", "other"), id="company – role – round"),
    pytest.param(
        "Entretien – Globex (Product Designer)", ["Élodie Martin"], [], ["globex"],
        ("Product Designer", "Globex", "domain", "other"), id="french entretien"),
    pytest.param(
        "Staff Engineer at Globex - Recruiter Screen", ["Ann Bell"], [], [],
        ("Staff Engineer", "Globex", "hint", "recruiter_screen"), id="role at company - recruiter screen"),
    pytest.param(
        "Phone Screen: Jordan Lee / Stripe - Backend Engineer", ["Jordan Lee"], ["Stripe, Inc."], ["stripe"],
        ("Backend Engineer", "Stripe, Inc.", "known", "phone_screen"), id="phone screen: person / company - role"),
    pytest.param(
        "Technical Interview (Pairing) – Data Engineer @ Hooli", [], [], [],
        ("Data Engineer", "Hooli", "hint", "technical"), id="technical (pairing) – role @ company"),
    pytest.param(
        "Invitation: Onsite Interview - Senior SRE, Hooli @ Tue Mar 10, 2026 4pm - 5pm (CET) (jo@mail.example)",
        [], ["Hooli"], [], ("Senior SRE", "Hooli", "known", "onsite"), id="google mail subject with date"),
    pytest.param(
        "Final round | Pied Piper | Product Manager", ["Richard Hendricks"], [], [],
        ("Product Manager", "Pied Piper", "guess", "final"), id="final | company | role"),
    pytest.param(
        "Panel Interview — Senior Data Scientist (Lumen Health Inc.)", [], ["Lumen Health"], [],
        ("Senior Data Scientist", "Lumen Health", "known", "panel"), id="panel — role (company, legal form)"),
    pytest.param(
        "Interview with Hooli for Backend Engineer", [], [], [],
        ("Backend Engineer", "Hooli", "guess", "other"), id="interview with company for role"),
    pytest.param(
        "Jordan Lee and Jo Example: Technical Phone Screen", ["Jordan Lee", "Jo Example"], [], [],
        ("", "", "", "technical"), id="calendly: names and stage only"),
    pytest.param(
        "Vorstellungsgespräch – Softwareentwickler (m/w/d) – Beispiel GmbH", [], [], ["beispiel"],
        ("Softwareentwickler", "Beispiel GmbH", "domain", "other"), id="german with (m/w/d) and GmbH"),
    pytest.param(
        "Take-home review: Frontend Developer", [], [], [],
        ("Frontend Developer", "", "", "take_home"), id="take-home"),
    pytest.param("Team", [], [], [], ("", "", "", "other"), id="bare word: no role"),
    pytest.param("Team Meeting", ["Bob Smith"], [], ["example"], ("", "", "", "other"), id="outlook 2013 team meeting"),
    pytest.param("Coffee chat", [], [], [], ("", "", "", "other"), id="coffee chat"),
    pytest.param("", [], [], [], ("", "", "", "other"), id="no title"),
]


@pytest.mark.parametrize(("title", "people", "companies", "domains", "expected"), TITLES)
def test_titles(title, people, companies, domains, expected):
    parts = read_title(title, people=people, companies=companies, domains=domains)
    assert (parts.role, parts.company, parts.company_source, parts.stage) == expected


@pytest.mark.parametrize(("title", "interview"), [
    ("Team", False), ("Team Meeting", False), ("Coffee chat", False), ("Sprint 25 Daily Standup", False),
    ("Interview: Senior Engineer – Acme", True), ("Recruiter call", True), ("Backend Engineer – Acme", True),
    ("Round 2 – Acme", True),
])
def test_a_title_without_interview_words_or_role_is_not_an_interview(title, interview):
    assert read_title(title).interview is interview


@pytest.mark.parametrize(("text", "stage"), [
    ("Recruiter phone screen", "recruiter_screen"), ("HR interview", "recruiter_screen"),
    ("Hiring Manager Interview", "hiring_manager"), ("Technical phone screen", "technical"),
    ("System design", "technical"), ("Virtual onsite", "onsite"), ("On-site", "onsite"),
    ("Final round", "final"), ("Intro call", "phone_screen"), ("Panel", "panel"), ("Take home", "take_home"),
    ("Coffee", "other"), ("Screenshot review", "other"),
])
def test_stage_words(text, stage):
    assert stage_of(text) == stage


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Lumen Health", "lumenhealth", True), ("Lumen Health, Inc.", "Lumen Health", True),
    ("Société Générale", "Societe Generale SA", True), ("AT&T", "AT and T", True),
    ("Acme", "Acne", False), ("Lumen Health", "Lumen Healthcare Partners", False),
    ("Globex Corporation", "Globex Corp.", True), ("Initech", "Initek", False),
    ("Northwind Traders", "Northwind Trader", True),  # a typo, fuzzy
])
def test_company_names(a, b, same):
    assert (match_company(a, [b]) == b) is same


def test_company_key_and_domain_label():
    assert company_key("The Company") == "thecompany"  # nothing but legal words: keep the letters
    assert domain_label("mail.lumenhealth.io") == "lumenhealth"
    assert domain_label("careers.blue-fjord.co.uk") == "blue-fjord"
    assert domain_label("localhost") == ""


def test_names_in_titles_are_text():
    assert read_title("{role} <script> – Engineer").role == "Engineer"
    assert isinstance(read_title("x" * 10_000), TitleParts)
