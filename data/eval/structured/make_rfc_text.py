"""Lay out corpus/rfc9871_saltmarsh_telemetry.txt like a published RFC: paragraphs wrapped at 72
columns by textwrap, 3-space body indent, hanging definitions, page footers, form feeds and running
headers. Standard library only: `python3 data/eval/structured/make_rfc_text.py`."""
import textwrap
from pathlib import Path

W = 72
out = []

def para(text, indent=3):
    out.extend(textwrap.wrap(" ".join(text.split()), width=W, initial_indent=" " * indent,
                             subsequent_indent=" " * indent, break_on_hyphens=False))
    out.append("")

def hang(label, text, indent=3, hang_indent=6):
    """A label on its own line, its text indented below it (RFC definition lists)."""
    out.append(" " * indent + label)
    para(text, indent=hang_indent)

def raw(block):
    out.extend(block.rstrip("\n").split("\n"))
    out.append("")

def heading(text):
    out.append(text)
    out.append("")

raw("""\
Independent Submission                                     A. Varga-Lund
Request for Comments: 9871                          Nordhavn Instruments
Category: Experimental                                       K. Oyelaran
ISSN: 2070-1721                                   Marisco Ocean Systems
                                                              April 2026
""")
raw("""\
          The Saltmarsh Telemetry Transport (STT) for Moored Buoys""")
heading("Abstract")
para("""This document specifies the Saltmarsh Telemetry Transport (STT), a
small datagram protocol that carries observation records from moored
ocean buoys to a shore collector over intermittent, low-bandwidth
satellite links. STT trades latency for delivery: a buoy keeps every
record until the collector has acknowledged it, and the collector asks
for gaps with a single compact retry request instead of acknowledging
each packet.""")
heading("Status of This Memo")
para("""This document is not an Internet Standards Track specification; it
is published for examination, experimental implementation, and
evaluation. This is a contribution to the RFC Series, independently of
any other RFC stream.""")
heading("Table of Contents")
raw("""\
   1.  Introduction
   2.  Conventions and Terminology
   3.  Packet Format
     3.1.  Common Header
   4.  Packet Types
     4.1.  Data Packet
     4.2.  Retry Packet
     4.3.  Acknowledgement Packet
   5.  Timers
     5.1.  Retransmission Timer
     5.2.  Quiet Time
   6.  Security Considerations
   7.  IANA Considerations
   8.  References""")
heading("1.  Introduction")
para("""Moored buoys operated by coastal observatories report water
temperature, salinity, wave height and current speed every ten minutes.
Their only link to shore is often a satellite modem that is powered for
a few minutes per hour and whose round-trip time varies between 2 and 40
seconds. General-purpose transports assume a link that is always
available, and their handshakes consume a large share of the few bytes
such a modem can send in one session.""")
para("""STT was first deployed in 2023 on 41 buoys in the Kattegat Shelf
Array and has since carried more than 60 million observation records.
This document describes version 2 of the protocol; version 1 used a
16-bit sequence number and is not interoperable with version 2.""")
heading("2.  Conventions and Terminology")
para("""The key words "MUST", "MUST NOT", "SHOULD", "SHOULD NOT" and "MAY"
in this document are to be interpreted as described in BCP 14 when, and
only when, they appear in all capitals, as shown here.""")
hang("Station:", """A buoy, or any other device, that produces observation records
and sends them with STT.""")
hang("Collector:", """The shore system that receives records from one or more Stations
and stores them.""")
hang("Observation Record:", """One timestamped set of measurements from one Station, at most
480 octets long once encoded.""")
hang("Maximum Segment Lifetime (MSL):", """The longest time a packet may remain in the network between
a Station and its Collector. An STT implementation MUST assume an
MSL of 120 seconds unless it has been configured with a longer
value.""")
hang("Link Session:", """One period during which the satellite modem of a Station is
powered and registered with the network.""")
heading("3.  Packet Format")
para("""Every STT packet is carried in a single UDP datagram and starts
with the common header below. All multi-octet fields are in network
byte order. A packet MUST NOT exceed 1,024 octets including the common
header; larger payloads are split across several Data Packets.""")
heading("3.1.  Common Header")
raw("""\
     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |  Ver  | Type  |     Flags     |         Station Number        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                        Sequence Number                        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |          Payload Length       |            Checksum           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+""")
hang("Ver:", """4 bits. The protocol version. This document defines version 2.""")
hang("Type:", """4 bits. 1 for a Data Packet, 2 for a Retry Packet, 3 for an
Acknowledgement Packet. Other values are reserved.""")
hang("Station Number:", """16 bits. Assigned by the operator of the Collector; 0 is
reserved for the Collector itself.""")
hang("Sequence Number:", """32 bits. Counts Data Packets from one Station, starting at a
random value after each restart and wrapping around to 0.""")
hang("Checksum:", """16 bits. A CRC-16/CCITT over the header and payload, computed
with the Checksum field set to 0.""")
heading("4.  Packet Types")
heading("4.1.  Data Packet")
para("""A Data Packet carries one or more complete Observation Records.
A Station sends its queued records in sequence order at the start of
each Link Session and keeps a copy of every record until the Collector
has acknowledged it. A Station SHOULD store at least 72 hours of
records; when its store is full it discards the oldest unacknowledged
records first and sets the Loss flag in its next Data Packet.""")
heading("4.2.  Retry Packet")
para("""A Collector that detects a gap in the Sequence Numbers it has
received from a Station sends a Retry Packet listing the missing
Sequence Numbers. One Retry Packet lists at most 32 missing Sequence
Numbers, as ranges of a first number and a count, so that a single
request fits in the smallest modem frame. A Collector MUST NOT send
more than one Retry Packet per Station in any 30-second interval. A
Station that receives a Retry Packet resends the listed Data Packets
before any new data.""")
heading("4.3.  Acknowledgement Packet")
para("""An Acknowledgement Packet confirms every Sequence Number up to and
including the one it carries. The Collector sends one at the end of
each Link Session, or after every 64 Data Packets received, whichever
comes first. A Station may discard records only after they are
acknowledged.""")
heading("5.  Timers")
heading("5.1.  Retransmission Timer")
para("""A Station starts the retransmission timer when it sends a Data
Packet and stops it when an Acknowledgement Packet covers that packet.
The initial timeout is 3 seconds; after each expiry the timeout is
doubled, up to a ceiling of 64 seconds. When the ceiling has been
reached five times in a row, the Station ends the Link Session and
waits for the next scheduled one.""")
raw("""\
      timeout(0)   = 3 s
      timeout(n+1) = min(2 * timeout(n), 64 s)""")
heading("5.2.  Quiet Time")
para("""After a restart, a Station MUST remain silent for twice the MSL
before sending its first Data Packet, so that no packet from before
the restart can be confused with a new one. With the default MSL this
quiet time is 240 seconds.""")
heading("6.  Security Considerations")
para("""STT provides no confidentiality. The checksum detects corruption
but not tampering; deployments that need integrity protection SHOULD
carry STT inside an authenticated tunnel. A forged Acknowledgement
Packet can make a Station discard records that the Collector never
received, so a Collector SHOULD accept packets only from the address
ranges of its satellite provider.""")
heading("7.  IANA Considerations")
para("""IANA has assigned the following entry in the Service Name and
Transport Protocol Port Number Registry:""")
raw("""\
      Service Name:        stt
      Port Number:         4719
      Transport Protocol:  UDP
      Description:         Saltmarsh Telemetry Transport
      Assignee:            A. Varga-Lund
      Reference:           RFC 9871""")
heading("8.  References")
raw("""\
   [BCP14]    Bradner, S., "Key words for use in RFCs to Indicate
              Requirement Levels", BCP 14, RFC 2119, March 1997.""")
heading("Authors' Addresses")
raw("""\
   Ana Varga-Lund
   Nordhavn Instruments
   Skibsbyggervej 12
   9850 Hirtshals
   Denmark
   Email: avl@nordhavn-instruments.example

   Kunle Oyelaran
   Marisco Ocean Systems
   Email: k.oyelaran@marisco.example""")

# Paginate like a published RFC: about 50 lines a page, broken at a blank line, each page ending
# with a footer line and a form feed, and each new page starting with a running header.
pages, page = [], []
for line in out:
    page.append(line)
    if len(page) >= 50 and line == "" and page[-2].startswith(" "):
        pages.append(page)
        page = []
if page:
    pages.append(page)

def footer(n):
    left, mid, right = "Varga-Lund & Oyelaran", "Experimental", f"[Page {n}]"
    gap = W - len(left) - len(mid) - len(right)
    return left + " " * (gap // 2) + mid + " " * (gap - gap // 2) + right

header_left, header_mid, header_right = "RFC 9871", "Saltmarsh Telemetry Transport", "April 2026"
gap = W - len(header_left) - len(header_mid) - len(header_right)
header = header_left + " " * (gap // 2) + header_mid + " " * (gap - gap // 2) + header_right
lines = []
for i, page in enumerate(pages, 1):
    while page and page[-1] == "":
        page.pop()
    if i > 1:
        lines += [header, ""]
    lines += page
    lines += ["", "", footer(i)]
    if i < len(pages):
        lines.append("\f")
text = "\n".join(lines).rstrip() + "\n"
for n, line in enumerate(text.splitlines(), 1):
    assert len(line) <= W, (n, len(line), line)
open(Path(__file__).resolve().parent / "corpus" / "rfc9871_saltmarsh_telemetry.txt", "w", encoding="utf-8").write(text)
print(len(text.split()), "words")
