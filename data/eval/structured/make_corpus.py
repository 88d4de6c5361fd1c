"""Make the three binary documents of the structured question set.

    cd /work/main && .venv/bin/python data/eval/structured/make_corpus.py

writes into data/eval/structured/corpus/:

- halvard_hx7_spec_sheet.pdf       fpdf2: headings, label-value lines, tables made with FPDF.table()
                                    (first row as header cells), a bulleted list
- kestrel_maintenance_agreement.pdf fpdf2: a contract with label-value lines, upper-case numbered
                                    clause headings ("4. WARRANTY"), numbered sub-clauses ("4.1 ...")
                                    in paragraphs that fpdf2 wraps over several lines, a signature block
- orrin_vask_hybrid_work_policy.docx python-docx: "Title", "Heading 1"/"Heading 2" styles, "List Bullet",
                                    "List Bullet 2" and "List Number" paragraphs, a table whose first
                                    row is a repeating header row

Everything in them is invented. The three text documents of the set (.md, .html, .txt) are
written by hand, not by this script. Needs fpdf2 and python-docx (both in the project's venv: fpdf2
comes with the `dev` extra, python-docx is a dependency). Output is deterministic apart from the
ids the two libraries put in the files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from fpdf import FPDF
from fpdf.fonts import FontFace

CORPUS = Path(__file__).resolve().parent / "corpus"
WHEN = dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------------------------------------
# PDF helpers (core Helvetica font: Latin-1 text only)


def new_pdf(title: str, author: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("fpdf2 (data/eval/structured/make_corpus.py)")
    pdf.set_creation_date(WHEN)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    return pdf


def heading(pdf: FPDF, text: str, size: float = 13, space: float = 3) -> None:
    pdf.ln(space)
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def paragraph(pdf: FPDF, text: str, indent: float = 0, size: float = 10) -> None:
    pdf.set_font("Helvetica", "", size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, 5, " ".join(text.split()), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def label_values(pdf: FPDF, pairs: list[tuple[str, str]], size: float = 10) -> None:
    for label, value in pairs:
        pdf.set_font("Helvetica", "B", size)
        pdf.write(5, f"{label}: ")
        pdf.set_font("Helvetica", "", size)
        pdf.write(5, value)
        pdf.ln(5)
    pdf.ln(1.5)


def table(pdf: FPDF, rows: list[tuple[str, ...]], widths: tuple[float, ...]) -> None:
    """A real table: the first row becomes header cells (bold, grey)."""
    pdf.set_font("Helvetica", "", 9.5)
    with pdf.table(
        col_widths=widths,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
        line_height=5.5,
        text_align="LEFT",
    ) as t:
        for data in rows:
            row = t.row()
            for cell in data:
                row.cell(cell)
    pdf.ln(3)


def bullets(pdf: FPDF, items: list[str]) -> None:
    pdf.set_font("Helvetica", "", 10)
    for item in items:
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 5, chr(149) + "  " + item, new_x="LMARGIN", new_y="NEXT")  # Latin-1 bullet
    pdf.ln(1.5)


# ---------------------------------------------------------------------------------------------
# 1. Product spec sheet


def spec_sheet(path: Path) -> None:
    pdf = new_pdf("HX-7 Field Recorder - Product Specification Sheet", "Halvard Acoustics Oy")
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, "Halvard Acoustics HX-7 Field Recorder", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 6, "Product Specification Sheet", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    label_values(
        pdf,
        [
            ("Document", "HA-SPEC-0712, Revision C"),
            ("Issued", "14 March 2025"),
            ("Manufacturer", "Halvard Acoustics Oy, Ostervik"),
            ("Product manager", "Sanna Kettunen-Blom"),
        ],
    )

    heading(pdf, "1. Overview")
    paragraph(
        pdf,
        """The HX-7 is a handheld multitrack recorder for location sound, nature recording and
        podcast production. The standard HX-7 records eight tracks (six inputs plus a stereo mix)
        to two microSD cards at the same time, so that a failed card never costs a take. Its
        dual-gain converters capture the quietest birdsong and a slammed car door in the same file
        without clipping. Every HX-7 is assembled and calibrated at the Halvard plant in Ostervik
        and ships with an individual measurement report.""",
    )

    heading(pdf, "2. Audio Specifications")
    table(
        pdf,
        [
            ("Parameter", "Value"),
            ("Sample rates", "44.1, 48, 96 and 192 kHz"),
            ("Bit depth", "24-bit and 32-bit float"),
            ("Recording tracks", "8 (6 inputs + stereo mix)"),
            ("Microphone preamp gain", "0 to +72 dB, in 0.5 dB steps"),
            ("Equivalent input noise (EIN)", "-128 dBu, A-weighted, 150 ohm source"),
            ("Frequency response", "10 Hz to 40 kHz (+/-0.5 dB)"),
            ("Dynamic range", "118 dB"),
            ("Phantom power", "+48 V, switchable per input"),
            ("Headphone output", "3.5 mm stereo, 100 mW into 32 ohms"),
        ],
        (70, 100),
    )

    heading(pdf, "3. Inputs and Outputs")
    table(
        pdf,
        [
            ("Connector", "Quantity", "Function"),
            ("XLR/TRS combo", "4", "Microphone or line input, locking"),
            ("3.5 mm stereo mini-jack", "1", "Plug-in power microphone input"),
            ("BNC", "1", "Timecode in/out (LTC)"),
            ("TA3 mini-XLR", "2", "Balanced line output"),
            ("USB-C", "1", "Audio interface (8 in / 4 out), charging, file transfer"),
        ],
        (50, 25, 95),
    )

    heading(pdf, "4. Power")
    table(
        pdf,
        [
            ("Item", "Specification"),
            ("Internal battery", "7.2 V lithium-ion pack BP-72, 5,200 mAh"),
            ("Run time, 2 tracks at 48 kHz", "up to 14 hours"),
            ("Run time, 8 tracks with phantom power", "up to 6.5 hours"),
            ("External DC input", "9 to 17 V on a 4-pin Hirose connector"),
            ("Charging time (USB-C PD, 45 W)", "2 hours 10 minutes"),
        ],
        (80, 90),
    )

    heading(pdf, "5. Physical and Environmental")
    table(
        pdf,
        [
            ("Property", "Value"),
            ("Dimensions (W x D x H)", "168 x 104 x 52 mm"),
            ("Weight without battery", "640 g"),
            ("Weight with battery", "780 g"),
            ("Operating temperature", "-10 to +50 \u00b0C"),
            ("Ingress protection", "IP54"),
            ("Display", "2.8-inch transflective colour LCD, 320 x 240 pixels"),
            ("Enclosure", "Magnesium alloy with rubber corner guards"),
        ],
        (70, 100),
    )

    heading(pdf, "6. Model Variants")
    table(
        pdf,
        [
            ("Model", "Tracks", "Wireless receiver", "Storage", "List price (USD)"),
            ("HX-7 Lite", "6", "No", "1 x microSD", "$649"),
            ("HX-7", "8", "No", "2 x microSD", "$899"),
            ("HX-7 Pro", "10", "Yes, 2 channels", "2 x microSD + 256 GB internal", "$1,349"),
        ],
        (28, 18, 34, 56, 34),
    )

    heading(pdf, "7. In the Box")
    bullets(
        pdf,
        [
            "HX-7 recorder",
            "Rechargeable battery pack BP-72",
            "USB-C to USB-C cable, 1 m",
            "Foam windscreen for the built-in microphones",
            "Printed quick-start guide in English, Finnish and German",
        ],
    )

    heading(pdf, "8. Warranty")
    label_values(
        pdf,
        [
            ("Recorder, parts and labour", "24 months from the date of purchase"),
            ("Battery pack BP-72", "12 months"),
            ("Extension", "a further 12 months when the recorder is registered within 60 days"),
        ],
    )

    heading(pdf, "9. Support")
    paragraph(
        pdf,
        """Firmware updates are published every quarter and installed from a microSD card or over
        USB. Repairs are handled by the Halvard service centre in Ostervik; the typical turnaround,
        including shipping within the European Union, is ten working days.""",
    )
    pdf.output(str(path))


# ---------------------------------------------------------------------------------------------
# 2. Contract


def clause(pdf: FPDF, number: str, text: str) -> None:
    paragraph(pdf, f"{number} {text}", indent=0)


def agreement(path: Path) -> None:
    pdf = new_pdf("Equipment Maintenance Agreement KPS-MA-2291", "Kestrel Pump Systems Inc.")
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, "EQUIPMENT MAINTENANCE AGREEMENT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    label_values(
        pdf,
        [
            ("Agreement No.", "KPS-MA-2291"),
            ("Effective Date", "March 1, 2025"),
            ("Client", "Brightwater Aquaculture Ltd., 14 Saltmarsh Road, Port Elsley"),
            ("Provider", "Kestrel Pump Systems Inc., 220 Foundry Lane, Harrowgate"),
            ("Annual Fee", "$42,750"),
            ("Initial Term", "3 years"),
            ("Payment Terms", "Net 45 days"),
            ("Client Contact", "Ingrid Solvang, Operations Director"),
            ("Provider Contact", "Marcus Adeyemi-Hale, Service Manager"),
        ],
    )
    paragraph(
        pdf,
        """This Equipment Maintenance Agreement (the "Agreement") is made between the Client and
        the Provider named above, each a "Party". The Provider agrees to maintain the Client's
        water-treatment equipment at the Port Elsley hatchery on the terms below.""",
    )

    heading(pdf, "1. DEFINITIONS", size=11)
    clause(
        pdf,
        "1.1",
        """"Equipment" means the recirculation pumps, aerators, ultraviolet sterilisers and control
        panels listed in Schedule A, including any replacement installed by the Provider.""",
    )
    clause(
        pdf,
        "1.2",
        """"Business Day" means a day other than a Saturday, a Sunday or a public holiday in the
        place where the Equipment is located.""",
    )
    clause(
        pdf,
        "1.3",
        """"Response Time" means the period between the Client's service request to the Provider's
        dispatch desk and the arrival of a Provider technician at the hatchery.""",
    )

    heading(pdf, "2. SCOPE OF SERVICES", size=11)
    clause(
        pdf,
        "2.1",
        """The Provider shall carry out four preventive maintenance visits per Contract Year, in
        January, April, July and October, each covering inspection, cleaning, lubrication,
        calibration of sensors and replacement of wear parts.""",
    )
    clause(
        pdf,
        "2.2",
        """The Provider shall keep a stock of critical spare parts for the Equipment, including at
        least two complete pump seal kits and one spare aerator motor, at its Harrowgate depot
        throughout the term of this Agreement.""",
    )
    clause(
        pdf,
        "2.3",
        """After each visit the Provider shall deliver a written service report to the Client
        Contact within five Business Days.""",
    )

    heading(pdf, "3. RESPONSE TIMES", size=11)
    clause(
        pdf,
        "3.1",
        """Priority 1 (loss of oxygenation or water circulation in any tank): 4 hours, at any time
        of day, every day of the year.""",
    )
    clause(pdf, "3.2", """Priority 2 (degraded performance of any Equipment): 1 Business Day.""")
    clause(pdf, "3.3", """Priority 3 (all other requests): 5 Business Days.""")

    heading(pdf, "4. WARRANTY", size=11)
    clause(pdf, "4.1", """Replacement parts supplied by the Provider: 18 months from installation.""")
    clause(pdf, "4.2", """Workmanship: 90 days from completion of the work.""")
    clause(
        pdf,
        "4.3",
        """This Section 4 does not apply to damage caused by the Client's failure to follow the
        operating instructions, by power surges, or by salt water entering Equipment that the
        Client has left uncovered.""",
    )

    heading(pdf, "5. FEES AND PAYMENT", size=11)
    clause(
        pdf,
        "5.1",
        """The Annual Fee covers all preventive maintenance visits and all call-outs on Business
        Days, including travel and labour, and is payable in four equal quarterly instalments in
        advance.""",
    )
    clause(
        pdf,
        "5.2",
        """Call-outs requested by the Client outside Business Days, other than Priority 1
        call-outs, are charged at $185 per hour with a minimum charge of three hours.""",
    )
    clause(
        pdf,
        "5.3",
        """Amounts not paid when due bear interest at 1.5% per month from the due date until the
        date of payment.""",
    )

    heading(pdf, "6. LIMITATION OF LIABILITY", size=11)
    clause(
        pdf,
        "6.1",
        """The total liability of either Party under this Agreement in any Contract Year shall not
        exceed one hundred and fifty percent (150%) of the Annual Fee, except for liability for
        death or personal injury caused by negligence.""",
    )

    heading(pdf, "7. TERM AND TERMINATION", size=11)
    clause(
        pdf,
        "7.1",
        """This Agreement begins on the Effective Date and continues for the Initial Term. It
        renews automatically for successive periods of twelve months unless either Party gives
        written notice of non-renewal at least 90 days before the end of the term then in
        force.""",
    )
    clause(
        pdf,
        "7.2",
        """Either Party may terminate this Agreement by written notice if the other Party commits
        a material breach and does not remedy it within 30 days of receiving notice of the
        breach.""",
    )

    heading(pdf, "8. CONFIDENTIALITY", size=11)
    clause(
        pdf,
        "8.1",
        """Each Party shall keep confidential the other Party's stocking densities, feed
        formulations, prices and any other information marked as confidential, for the term of
        this Agreement and five years after it ends.""",
    )

    heading(pdf, "9. GOVERNING LAW AND DISPUTES", size=11)
    clause(
        pdf,
        "9.1",
        """This Agreement is governed by the laws of the State of Maine. Any dispute that the
        Client Contact and the Provider Contact cannot settle within 30 days shall be referred to
        a single arbitrator sitting in Bangor, Maine.""",
    )

    heading(pdf, "SCHEDULE A - EQUIPMENT", size=11)
    label_values(
        pdf,
        [
            ("Recirculation pumps, model KP-300", "12 units"),
            ("Paddle aerators, model AQ-55", "8 units"),
            ("Ultraviolet sterilisers, model UVS-9", "3 units"),
            ("Control panels, model KC-2", "2 units"),
        ],
    )

    heading(pdf, "SIGNATURES", size=11)
    label_values(
        pdf,
        [
            ("Signed for the Client", "Ingrid Solvang, Operations Director"),
            ("Date", "February 20, 2025"),
            ("Signed for the Provider", "Theodora Quist, Chief Executive Officer"),
            ("Date", "February 24, 2025"),
        ],
    )
    pdf.output(str(path))


# ---------------------------------------------------------------------------------------------
# 3. DOCX policy


def header_row(table) -> None:
    """Mark a table's first row as its header row (w:tblHeader) and make its text bold."""
    row = table.rows[0]
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)
    for cell in row.cells:
        for p in cell.paragraphs:
            for run in p.runs:
                run.bold = True


def policy(path: Path) -> None:
    doc = Document()
    doc.core_properties.title = "Hybrid Work Policy"
    doc.core_properties.author = "People Operations, Orrin & Vask Software GmbH"
    doc.core_properties.created = WHEN.replace(tzinfo=None)
    doc.core_properties.modified = WHEN.replace(tzinfo=None)
    doc.styles["Normal"].font.size = Pt(11)

    doc.add_paragraph("Hybrid Work Policy", style="Title")
    doc.add_paragraph("Orrin & Vask Software GmbH")
    for label, value in [
        ("Policy number", "HR-14"),
        ("Version", "3.2"),
        ("Effective date", "1 September 2025"),
        ("Policy owner", "Helga Marchetti, Head of People Operations"),
    ]:
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)

    doc.add_paragraph("1 Purpose and Scope", style="Heading 1")
    doc.add_paragraph(
        "This policy sets out how employees of Orrin & Vask Software GmbH may split their working "
        "time between the office in Leipzig and their home. It applies to all employees with an "
        "employment contract governed by German law. Contractors and employees of the Porto "
        "subsidiary are covered by their own agreements."
    )

    doc.add_paragraph("2 Eligibility", style="Heading 1")
    doc.add_paragraph("Hybrid work is open to employees who meet all of the following conditions:")
    for item in [
        "They have completed their probationary period of six months.",
        "Their role does not require daily access to the hardware test lab.",
        "They have a workplace at home that meets the requirements of section 6.",
    ]:
        doc.add_paragraph(item, style="List Bullet")
    doc.add_paragraph("2.1 Exclusions", style="Heading 2")
    doc.add_paragraph("The following groups are not eligible:")
    for item in [
        "Apprentices and working students",
        "Employees in their notice period, unless their manager agrees otherwise",
        "Reception and facilities staff",
    ]:
        doc.add_paragraph(item, style="List Bullet")

    doc.add_paragraph("3 Working Pattern", style="Heading 1")
    doc.add_paragraph("3.1 Anchor Days", style="Heading 2")
    doc.add_paragraph(
        "All hybrid employees work in the office on Tuesdays and Thursdays. Team meetings, "
        "planning sessions and onboarding are scheduled on these days."
    )
    doc.add_paragraph("3.2 Core Hours", style="Heading 2")
    doc.add_paragraph(
        "From 10:00 to 15:00 Central European Time employees must be reachable by chat and "
        "telephone, wherever they work. Outside these hours they organise their working time "
        "freely within the limits of the German Working Hours Act."
    )
    doc.add_paragraph("3.3 Working from Abroad", style="Heading 2")
    doc.add_paragraph(
        "Employees may work from another member state of the European Union for up to 20 working "
        "days per calendar year. Working from a country outside the EU requires the prior written "
        "approval of the Legal team, which decides within ten working days."
    )

    doc.add_paragraph("4 Requesting Hybrid Work", style="Heading 1")
    for item in [
        "Discuss the planned working pattern with your line manager.",
        "Submit form HW-2 in the PeopleHub portal at least 15 working days before the intended "
        "start date.",
        "Complete the home workstation self-assessment in PeopleHub.",
        "People Operations confirms the arrangement in writing within ten working days.",
    ]:
        doc.add_paragraph(item, style="List Number")
    doc.add_paragraph(
        "An arrangement can be ended by either side with four weeks' notice to the end of a month."
    )

    doc.add_paragraph("5 Equipment and Allowances", style="Heading 1")
    doc.add_paragraph(
        "The company provides the equipment below for use at home. The one-time setup allowance is "
        "paid with the first salary after the arrangement starts; the monthly allowance covers "
        "internet and electricity and is paid with each salary."
    )
    rows = [
        ("Role category", "Equipment provided", "One-time setup allowance", "Monthly allowance"),
        ("Engineering", "Laptop, two 27-inch monitors, docking station", "€600", "€45"),
        ("Design", "Laptop, calibrated 32-inch monitor, drawing tablet", "€750", "€45"),
        ("Sales and Customer Success", "Laptop, headset, one 24-inch monitor", "€400", "€60"),
        ("Operations and Finance", "Laptop, one 24-inch monitor", "€350", "€35"),
    ]
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    header_row(table)
    doc.add_paragraph(
        "Equipment remains the property of the company and must be returned within two weeks after "
        "the employment ends."
    )

    doc.add_paragraph("6 Health and Safety", style="Heading 1")
    doc.add_paragraph(
        "The home workplace must have a desk, a chair with adjustable height and daylight. "
        "Employees may ask the occupational health service for a free ergonomic consultation "
        "once every 24 months. Accidents while working from home are reported to People "
        "Operations within three days."
    )

    doc.add_paragraph("7 Data Protection", style="Heading 1")
    for item in [
        "Lock the screen whenever you leave the device.",
        "Connect to internal systems only through the company's virtual private network.",
        "Do not print confidential documents at home.",
        "Report a lost or stolen device to the IT service desk at once:",
    ]:
        doc.add_paragraph(item, style="List Bullet")
    for item in [
        "by telephone on extension 4400, around the clock;",
        "or by email to security@orrin-vask.example.",
    ]:
        doc.add_paragraph(item, style="List Bullet 2")

    doc.add_paragraph("8 Review", style="Heading 1")
    p = doc.add_paragraph(
        "People Operations reviews this policy every two years together with the works council. "
        "Questions about the policy go to hybrid@orrin-vask.example."
    )
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.save(str(path))


def main() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    spec_sheet(CORPUS / "halvard_hx7_spec_sheet.pdf")
    agreement(CORPUS / "kestrel_maintenance_agreement.pdf")
    policy(CORPUS / "orrin_vask_hybrid_work_policy.docx")
    for p in sorted(CORPUS.iterdir()):
        print(p.name, p.stat().st_size)


if __name__ == "__main__":
    main()
