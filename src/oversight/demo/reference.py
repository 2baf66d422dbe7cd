"""Reference data for the demo: England's NHS regions, ICBs and trusts, and the detail of the
Cambridgeshire and Peterborough system.

Real where it is public knowledge: the 7 NHS England region codes, the 42 ICB ODS codes and names,
NHS trust ODS codes and names (every trust with a type 1 A&E department in NHS England's 2016-19
A&E statistics, the 61 mental health and community trusts in NHS England's NOF 2025/26 data, the
ambulance trusts), trust mergers and their successors, and the Cambridgeshire and Peterborough
partners listed in the STP governance framework (seed 003 §1.2). The assignment of trusts to ICBs
follows where each trust's main site is. Invented, and documented as such in docs/demo.md: the
names and codes of the 21 integrated neighbourhoods and their PCNs and practices (ODS gives PCNs
U-codes and practices letter+5-digit codes; ours start with "DEMO" so they can never collide with
a real one), and the membership of the provider collaboratives.

Nothing here imports Django: `oversight.demo.load` writes it to the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

REGIONS: tuple[tuple[str, str], ...] = (
    ("Y56", "London"),
    ("Y58", "South West"),
    ("Y59", "South East"),
    ("Y60", "Midlands"),
    ("Y61", "East of England"),
    ("Y62", "North West"),
    ("Y63", "North East and Yorkshire"),
)

# (ICB ODS code, system name, region code). The ICB itself is "NHS <name> Integrated Care Board".
ICBS: tuple[tuple[str, str, str], ...] = (
    # East of England
    ("QHG", "Bedfordshire, Luton and Milton Keynes", "Y61"),
    ("QUE", "Cambridgeshire and Peterborough", "Y61"),
    ("QM7", "Hertfordshire and West Essex", "Y61"),
    ("QH8", "Mid and South Essex", "Y61"),
    ("QMM", "Norfolk and Waveney", "Y61"),
    ("QJG", "Suffolk and North East Essex", "Y61"),
    # London
    ("QMJ", "North Central London", "Y56"),
    ("QMF", "North East London", "Y56"),
    ("QRV", "North West London", "Y56"),
    ("QKK", "South East London", "Y56"),
    ("QWE", "South West London", "Y56"),
    # Midlands
    ("QHL", "Birmingham and Solihull", "Y60"),
    ("QUA", "Black Country", "Y60"),
    ("QWU", "Coventry and Warwickshire", "Y60"),
    ("QJ2", "Derby and Derbyshire", "Y60"),
    ("QGH", "Herefordshire and Worcestershire", "Y60"),
    ("QK1", "Leicester, Leicestershire and Rutland", "Y60"),
    ("QJM", "Lincolnshire", "Y60"),
    ("QPM", "Northamptonshire", "Y60"),
    ("QT1", "Nottingham and Nottinghamshire", "Y60"),
    ("QOC", "Shropshire, Telford and Wrekin", "Y60"),
    ("QNC", "Staffordshire and Stoke-on-Trent", "Y60"),
    # North East and Yorkshire
    ("QOQ", "Humber and North Yorkshire", "Y63"),
    ("QHM", "North East and North Cumbria", "Y63"),
    ("QF7", "South Yorkshire", "Y63"),
    ("QWO", "West Yorkshire", "Y63"),
    # North West
    ("QYG", "Cheshire and Merseyside", "Y62"),
    ("QOP", "Greater Manchester", "Y62"),
    ("QE1", "Lancashire and South Cumbria", "Y62"),
    # South East
    ("QU9", "Buckinghamshire, Oxfordshire and Berkshire West", "Y59"),
    ("QNQ", "Frimley", "Y59"),
    ("QRL", "Hampshire and Isle of Wight", "Y59"),
    ("QKS", "Kent and Medway", "Y59"),
    ("QXU", "Surrey Heartlands", "Y59"),
    ("QNX", "Sussex", "Y59"),
    # South West
    ("QOX", "Bath and North East Somerset, Swindon and Wiltshire", "Y58"),
    ("QUY", "Bristol, North Somerset and South Gloucestershire", "Y58"),
    ("QT6", "Cornwall and the Isles of Scilly", "Y58"),
    ("QJK", "Devon", "Y58"),
    ("QVV", "Dorset", "Y58"),
    ("QR1", "Gloucestershire", "Y58"),
    ("QSL", "Somerset", "Y58"),
)

ICB_OPENED = dt.date(2022, 7, 1)


def icb_name(system_name: str) -> str:
    return f"NHS {system_name} Integrated Care Board"


@dataclass(frozen=True)
class TrustRef:
    code: str
    name: str
    kind: str
    icb: str
    closed: dt.date | None = None
    successor: str | None = None
    serves: tuple[str, ...] = field(default_factory=tuple)  # extra systems served


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Acute trusts: every type 1 A&E provider in the 2016-19 A&E file, plus the successors of those
# that have since merged and Royal Papworth (specialist, no type 1 department).
_ACUTE: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("R0A", "Manchester University NHS Foundation Trust", "QOP", None, None),
    ("R0B", "South Tyneside and Sunderland NHS Foundation Trust", "QHM", None, None),
    ("R0D", "University Hospitals Dorset NHS Foundation Trust", "QVV", None, None),
    ("R1F", "Isle of Wight NHS Trust", "QRL", None, None),
    ("R1H", "Barts Health NHS Trust", "QMF", None, None),
    ("R1K", "London North West University Healthcare NHS Trust", "QRV", None, None),
    ("RA2", "Royal Surrey County Hospital NHS Foundation Trust", "QXU", None, None),
    ("RA3", "Weston Area Health NHS Trust", "QUY", "2020-04-01", "RA7"),
    ("RA4", "Yeovil District Hospital NHS Foundation Trust", "QSL", "2023-04-01", "RH5"),
    ("RA7", "University Hospitals Bristol and Weston NHS Foundation Trust", "QUY", None, None),
    ("RA9", "Torbay and South Devon NHS Foundation Trust", "QJK", None, None),
    ("RAE", "Bradford Teaching Hospitals NHS Foundation Trust", "QWO", None, None),
    ("RAJ", "Mid and South Essex NHS Foundation Trust", "QH8", None, None),
    ("RAL", "Royal Free London NHS Foundation Trust", "QMJ", None, None),
    ("RAP", "North Middlesex University Hospital NHS Trust", "QMJ", None, None),
    ("RAS", "The Hillingdon Hospitals NHS Foundation Trust", "QRV", None, None),
    ("RAX", "Kingston and Richmond NHS Foundation Trust", "QWE", None, None),
    ("RBA", "Taunton and Somerset NHS Foundation Trust", "QSL", "2020-04-01", "RH5"),
    ("RBD", "Dorset County Hospital NHS Foundation Trust", "QVV", None, None),
    ("RBK", "Walsall Healthcare NHS Trust", "QUA", None, None),
    ("RBL", "Wirral University Teaching Hospital NHS Foundation Trust", "QYG", None, None),
    ("RBN", "Mersey and West Lancashire Teaching Hospitals NHS Trust", "QYG", None, None),
    ("RBS", "Alder Hey Children's NHS Foundation Trust", "QYG", None, None),
    ("RBT", "Mid Cheshire Hospitals NHS Foundation Trust", "QYG", None, None),
    ("RBZ", "Northern Devon Healthcare NHS Trust", "QJK", "2022-04-01", "RH8"),
    ("RC1", "Bedford Hospital NHS Trust", "QHG", "2020-04-01", "RC9"),
    ("RC9", "Bedfordshire Hospitals NHS Foundation Trust", "QHG", None, None),
    ("RCB", "York and Scarborough Teaching Hospitals NHS Foundation Trust", "QOQ", None, None),
    ("RCD", "Harrogate and District NHS Foundation Trust", "QOQ", None, None),
    ("RCF", "Airedale NHS Foundation Trust", "QWO", None, None),
    ("RCU", "Sheffield Children's NHS Foundation Trust", "QF7", None, None),
    ("RCX", "The Queen Elizabeth Hospital, King's Lynn, NHS Foundation Trust", "QMM", None, None),
    ("RD1", "Royal United Hospitals Bath NHS Foundation Trust", "QOX", None, None),
    ("RD3", "Poole Hospital NHS Foundation Trust", "QVV", "2020-10-01", "R0D"),
    ("RD8", "Milton Keynes University Hospital NHS Foundation Trust", "QHG", None, None),
    ("RDD", "Basildon and Thurrock University Hospitals NHS Foundation Trust", "QH8",
     "2020-04-01", "RAJ"),
    ("RDE", "East Suffolk and North Essex NHS Foundation Trust", "QJG", None, None),
    ("RDU", "Frimley Health NHS Foundation Trust", "QNQ", None, None),
    ("RDZ", "The Royal Bournemouth and Christchurch Hospitals NHS Foundation Trust", "QVV",
     "2020-10-01", "R0D"),
    ("RE9", "South Tyneside NHS Foundation Trust", "QHM", "2019-04-01", "R0B"),
    ("REF", "Royal Cornwall Hospitals NHS Trust", "QT6", None, None),
    ("REM", "Liverpool University Hospitals NHS Foundation Trust", "QYG", None, None),
    ("RF4", "Barking, Havering and Redbridge University Hospitals NHS Trust", "QMF", None, None),
    ("RFF", "Barnsley Hospital NHS Foundation Trust", "QF7", None, None),
    ("RFR", "The Rotherham NHS Foundation Trust", "QF7", None, None),
    ("RFS", "Chesterfield Royal Hospital NHS Foundation Trust", "QJ2", None, None),
    ("RGM", "Royal Papworth Hospital NHS Foundation Trust", "QUE", None, None),
    ("RGN", "North West Anglia NHS Foundation Trust", "QUE", None, None),
    ("RGP", "James Paget University Hospitals NHS Foundation Trust", "QMM", None, None),
    ("RGQ", "Ipswich Hospital NHS Trust", "QJG", "2018-07-01", "RDE"),
    ("RGR", "West Suffolk NHS Foundation Trust", "QJG", None, None),
    ("RGT", "Cambridge University Hospitals NHS Foundation Trust", "QUE", None, None),
    ("RH5", "Somerset NHS Foundation Trust", "QSL", None, None),
    ("RH8", "Royal Devon University Healthcare NHS Foundation Trust", "QJK", None, None),
    ("RHM", "University Hospital Southampton NHS Foundation Trust", "QRL", None, None),
    ("RHQ", "Sheffield Teaching Hospitals NHS Foundation Trust", "QF7", None, None),
    ("RHU", "Portsmouth Hospitals University NHS Trust", "QRL", None, None),
    ("RHW", "Royal Berkshire NHS Foundation Trust", "QU9", None, None),
    ("RJ1", "Guy's and St Thomas' NHS Foundation Trust", "QKK", None, None),
    ("RJ2", "Lewisham and Greenwich NHS Trust", "QKK", None, None),
    ("RJ6", "Croydon Health Services NHS Trust", "QWE", None, None),
    ("RJ7", "St George's University Hospitals NHS Foundation Trust", "QWE", None, None),
    ("RJC", "South Warwickshire University NHS Foundation Trust", "QWU", None, None),
    ("RJE", "University Hospitals of North Midlands NHS Trust", "QNC", None, None),
    ("RJF", "Burton Hospitals NHS Foundation Trust", "QNC", "2018-07-01", "RTG"),
    ("RJL", "Northern Lincolnshire and Goole NHS Foundation Trust", "QOQ", None, None),
    ("RJN", "East Cheshire NHS Trust", "QYG", None, None),
    ("RJR", "Countess of Chester Hospital NHS Foundation Trust", "QYG", None, None),
    ("RJZ", "King's College Hospital NHS Foundation Trust", "QKK", None, None),
    ("RK5", "Sherwood Forest Hospitals NHS Foundation Trust", "QT1", None, None),
    ("RK9", "University Hospitals Plymouth NHS Trust", "QJK", None, None),
    ("RKB", "University Hospitals Coventry and Warwickshire NHS Trust", "QWU", None, None),
    ("RKE", "Whittington Health NHS Trust", "QMJ", None, None),
    ("RL4", "The Royal Wolverhampton NHS Trust", "QUA", None, None),
    ("RLN", "City Hospitals Sunderland NHS Foundation Trust", "QHM", "2019-04-01", "R0B"),
    ("RLQ", "Wye Valley NHS Trust", "QGH", None, None),
    ("RLT", "George Eliot Hospital NHS Trust", "QWU", None, None),
    ("RM1", "Norfolk and Norwich University Hospitals NHS Foundation Trust", "QMM", None, None),
    ("RM2", "University Hospital of South Manchester NHS Foundation Trust", "QOP", "2017-10-01",
     "R0A"),
    ("RM3", "Northern Care Alliance NHS Foundation Trust", "QOP", None, None),
    ("RMC", "Bolton NHS Foundation Trust", "QOP", None, None),
    ("RMP", "Tameside and Glossop Integrated Care NHS Foundation Trust", "QOP", None, None),
    ("RN3", "Great Western Hospitals NHS Foundation Trust", "QOX", None, None),
    ("RN5", "Hampshire Hospitals NHS Foundation Trust", "QRL", None, None),
    ("RN7", "Dartford and Gravesham NHS Trust", "QKS", None, None),
    ("RNA", "The Dudley Group NHS Foundation Trust", "QUA", None, None),
    ("RNL", "North Cumbria University Hospitals NHS Trust", "QHM", "2019-10-01", "RNN"),
    ("RNN", "North Cumbria Integrated Care NHS Foundation Trust", "QHM", None, None),
    ("RNQ", "Kettering General Hospital NHS Foundation Trust", "QPM", None, None),
    ("RNS", "Northampton General Hospital NHS Trust", "QPM", None, None),
    ("RNZ", "Salisbury NHS Foundation Trust", "QOX", None, None),
    ("RP5", "Doncaster and Bassetlaw Teaching Hospitals NHS Foundation Trust", "QF7", None, None),
    ("RPA", "Medway NHS Foundation Trust", "QKS", None, None),
    ("RQ3", "Birmingham Women's and Children's NHS Foundation Trust", "QHL", None, None),
    ("RQ6", "Royal Liverpool and Broadgreen University Hospitals NHS Trust", "QYG", "2019-10-01",
     "REM"),
    ("RQ8", "Mid Essex Hospital Services NHS Trust", "QH8", "2020-04-01", "RAJ"),
    ("RQM", "Chelsea and Westminster Hospital NHS Foundation Trust", "QRV", None, None),
    ("RQQ", "Hinchingbrooke Health Care NHS Trust", "QUE", "2017-04-01", "RGN"),
    ("RQW", "The Princess Alexandra Hospital NHS Trust", "QM7", None, None),
    ("RQX", "Homerton Healthcare NHS Foundation Trust", "QMF", None, None),
    ("RR1", "Heart of England NHS Foundation Trust", "QHL", "2018-04-01", "RRK"),
    ("RR7", "Gateshead Health NHS Foundation Trust", "QHM", None, None),
    ("RR8", "Leeds Teaching Hospitals NHS Trust", "QWO", None, None),
    ("RRF", "Wrightington, Wigan and Leigh Teaching Hospitals NHS Foundation Trust", "QOP", None,
     None),
    ("RRK", "University Hospitals Birmingham NHS Foundation Trust", "QHL", None, None),
    ("RRV", "University College London Hospitals NHS Foundation Trust", "QMJ", None, None),
    ("RTD", "The Newcastle upon Tyne Hospitals NHS Foundation Trust", "QHM", None, None),
    ("RTE", "Gloucestershire Hospitals NHS Foundation Trust", "QR1", None, None),
    ("RTF", "Northumbria Healthcare NHS Foundation Trust", "QHM", None, None),
    ("RTG", "University Hospitals of Derby and Burton NHS Foundation Trust", "QJ2", None, None),
    ("RTH", "Oxford University Hospitals NHS Foundation Trust", "QU9", None, None),
    ("RTK", "Ashford and St Peter's Hospitals NHS Foundation Trust", "QXU", None, None),
    ("RTP", "Surrey and Sussex Healthcare NHS Trust", "QXU", None, None),
    ("RTR", "South Tees Hospitals NHS Foundation Trust", "QHM", None, None),
    ("RTX", "University Hospitals of Morecambe Bay NHS Foundation Trust", "QE1", None, None),
    ("RVJ", "North Bristol NHS Trust", "QUY", None, None),
    ("RVR", "Epsom and St Helier University Hospitals NHS Trust", "QWE", None, None),
    ("RVV", "East Kent Hospitals University NHS Foundation Trust", "QKS", None, None),
    ("RVW", "North Tees and Hartlepool NHS Foundation Trust", "QHM", None, None),
    ("RVY", "Southport and Ormskirk Hospital NHS Trust", "QYG", "2023-07-01", "RBN"),
    ("RW3", "Central Manchester University Hospitals NHS Foundation Trust", "QOP", "2017-10-01",
     "R0A"),
    ("RW6", "Pennine Acute Hospitals NHS Trust", "QOP", "2021-04-01", "RM3"),
    ("RWA", "Hull University Teaching Hospitals NHS Trust", "QOQ", None, None),
    ("RWD", "United Lincolnshire Hospitals NHS Trust", "QJM", None, None),
    ("RWE", "University Hospitals of Leicester NHS Trust", "QK1", None, None),
    ("RWF", "Maidstone and Tunbridge Wells NHS Trust", "QKS", None, None),
    ("RWG", "West Hertfordshire Teaching Hospitals NHS Trust", "QM7", None, None),
    ("RWH", "East and North Hertfordshire NHS Trust", "QM7", None, None),
    ("RWJ", "Stockport NHS Foundation Trust", "QOP", None, None),
    ("RWP", "Worcestershire Acute Hospitals NHS Trust", "QGH", None, None),
    ("RWW", "Warrington and Halton Teaching Hospitals NHS Foundation Trust", "QYG", None, None),
    ("RWY", "Calderdale and Huddersfield NHS Foundation Trust", "QWO", None, None),
    ("RX1", "Nottingham University Hospitals NHS Trust", "QT1", None, None),
    ("RXC", "East Sussex Healthcare NHS Trust", "QNX", None, None),
    ("RXF", "Mid Yorkshire Teaching NHS Trust", "QWO", None, None),
    ("RXH", "Brighton and Sussex University Hospitals NHS Trust", "QNX", "2021-04-01", "RYR"),
    ("RXK", "Sandwell and West Birmingham Hospitals NHS Trust", "QUA", None, None),
    ("RXL", "Blackpool Teaching Hospitals NHS Foundation Trust", "QE1", None, None),
    ("RXN", "Lancashire Teaching Hospitals NHS Foundation Trust", "QE1", None, None),
    ("RXP", "County Durham and Darlington NHS Foundation Trust", "QHM", None, None),
    ("RXQ", "Buckinghamshire Healthcare NHS Trust", "QU9", None, None),
    ("RXR", "East Lancashire Hospitals NHS Trust", "QE1", None, None),
    ("RXW", "The Shrewsbury and Telford Hospital NHS Trust", "QOC", None, None),
    ("RYJ", "Imperial College Healthcare NHS Trust", "QRV", None, None),
    ("RYR", "University Hospitals Sussex NHS Foundation Trust", "QNX", None, None),
)

MH = "mental_health"
MHC = "mental_health_community"
COM = "community"

# Mental health and community trusts: the 61 in NHS England's NOF 2025/26 data (kind from its
# trust subtype, "mental health and community" where the trust runs both at scale).
_MH_COMMUNITY: tuple[tuple[str, str, str, str], ...] = (
    ("G6V2S", "North London NHS Foundation Trust", MH, "QMJ"),
    ("R1A", "Herefordshire and Worcestershire Health and Care NHS Trust", MHC, "QGH"),
    ("R1D", "Shropshire Community Health NHS Trust", COM, "QOC"),
    ("R1L", "Essex Partnership University NHS Foundation Trust", MHC, "QH8"),
    ("RAT", "North East London NHS Foundation Trust", MHC, "QMF"),
    ("RDR", "Sussex Community NHS Foundation Trust", COM, "QNX"),
    ("RDY", "Dorset Healthcare University NHS Foundation Trust", MHC, "QVV"),
    ("RGD", "Leeds and York Partnership NHS Foundation Trust", MH, "QWO"),
    ("RHA", "Nottinghamshire Healthcare NHS Foundation Trust", MHC, "QT1"),
    ("RJ8", "Cornwall Partnership NHS Foundation Trust", MHC, "QT6"),
    ("RKL", "West London NHS Trust", MH, "QRV"),
    ("RLY", "North Staffordshire Combined Healthcare NHS Trust", MH, "QNC"),
    ("RMY", "Norfolk and Suffolk NHS Foundation Trust", MH, "QMM"),
    ("RNK", "Tavistock and Portman NHS Foundation Trust", MH, "QMJ"),
    ("RNU", "Oxford Health NHS Foundation Trust", MHC, "QU9"),
    ("RP1", "Northamptonshire Healthcare NHS Foundation Trust", MHC, "QPM"),
    ("RP7", "Lincolnshire Partnership NHS Foundation Trust", MH, "QJM"),
    ("RPG", "Oxleas NHS Foundation Trust", MHC, "QKK"),
    ("RQY", "South West London and St George's Mental Health NHS Trust", MH, "QWE"),
    ("RRE", "Midlands Partnership University NHS Foundation Trust", MHC, "QNC"),
    ("RT1", "Cambridgeshire and Peterborough NHS Foundation Trust", MH, "QUE"),
    ("RT2", "Pennine Care NHS Foundation Trust", MH, "QOP"),
    ("RT5", "Leicestershire Partnership NHS Trust", MHC, "QK1"),
    ("RTQ", "Gloucestershire Health and Care NHS Foundation Trust", MHC, "QR1"),
    ("RV3", "Central and North West London NHS Foundation Trust", MHC, "QRV"),
    ("RV5", "South London and Maudsley NHS Foundation Trust", MH, "QKK"),
    ("RV9", "Humber Teaching NHS Foundation Trust", MHC, "QOQ"),
    ("RVN", "Avon and Wiltshire Mental Health Partnership NHS Trust", MH, "QUY"),
    ("RW1", "Hampshire and Isle of Wight Healthcare NHS Foundation Trust", MHC, "QRL"),
    ("RW4", "Mersey Care NHS Foundation Trust", MHC, "QYG"),
    ("RW5", "Lancashire & South Cumbria NHS Foundation Trust", MH, "QE1"),
    ("RWK", "East London NHS Foundation Trust", MHC, "QMF"),
    ("RWR", "Hertfordshire Partnership University NHS Foundation Trust", MH, "QM7"),
    ("RWV", "Devon Partnership NHS Trust", MH, "QJK"),
    ("RWX", "Berkshire Healthcare NHS Foundation Trust", MHC, "QU9"),
    ("RX2", "Sussex Partnership NHS Foundation Trust", MH, "QNX"),
    ("RX3", "Tees, Esk and Wear Valleys NHS Foundation Trust", MH, "QHM"),
    ("RX4", "Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust", MH, "QHM"),
    ("RXA", "Cheshire and Wirral Partnership NHS Foundation Trust", MHC, "QYG"),
    ("RXE", "Rotherham Doncaster and South Humber NHS Foundation Trust", MHC, "QF7"),
    ("RXG", "South West Yorkshire Partnership NHS Foundation Trust", MHC, "QWO"),
    ("RXM", "Derbyshire Healthcare NHS Foundation Trust", MH, "QJ2"),
    ("RXT", "Birmingham and Solihull Mental Health NHS Foundation Trust", MH, "QHL"),
    ("RXV", "Greater Manchester Mental Health NHS Foundation Trust", MH, "QOP"),
    ("RXX", "Surrey and Borders Partnership NHS Foundation Trust", MH, "QXU"),
    ("RXY", "Kent and Medway Mental Health NHS Trust", MH, "QKS"),
    ("RY2", "Bridgewater Community Healthcare NHS Foundation Trust", COM, "QYG"),
    ("RY3", "Norfolk Community Health and Care NHS Trust", COM, "QMM"),
    ("RY4", "Hertfordshire Community NHS Trust", COM, "QM7"),
    ("RY5", "Lincolnshire Community Health Services NHS Trust", COM, "QJM"),
    ("RY6", "Leeds Community Healthcare NHS Trust", COM, "QWO"),
    ("RY7", "Wirral Community Health and Care NHS Foundation Trust", COM, "QYG"),
    ("RY8", "Derbyshire Community Health Services NHS Foundation Trust", COM, "QJ2"),
    ("RYG", "Coventry and Warwickshire Partnership NHS Trust", MHC, "QWU"),
    ("RYV", "Cambridgeshire Community Services NHS Trust", COM, "QUE"),
    ("RYW", "Birmingham Community Healthcare NHS Foundation Trust", COM, "QHL"),
    ("RYX", "Central London Community Healthcare NHS Trust", COM, "QRV"),
    ("RYY", "Kent Community Health NHS Foundation Trust", COM, "QKS"),
    ("TAD", "Bradford District Care NHS Foundation Trust", MHC, "QWO"),
    ("TAH", "Sheffield Health Partnership University NHS Foundation Trust", MH, "QF7"),
    ("TAJ", "Black Country Healthcare NHS Foundation Trust", MH, "QUA"),
)

_EOE = ("QHG", "QUE", "QM7", "QH8", "QMM", "QJG")
_LONDON = ("QMJ", "QMF", "QRV", "QKK", "QWE")

# Ambulance trusts: (code, name, host ICB, every ICB served).
_AMBULANCE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("RX6", "North East Ambulance Service NHS Foundation Trust", "QHM", ("QHM",)),
    ("RX7", "North West Ambulance Service NHS Trust", "QE1", ("QYG", "QOP", "QE1")),
    ("RX8", "Yorkshire Ambulance Service NHS Trust", "QWO", ("QOQ", "QF7", "QWO")),
    ("RX9", "East Midlands Ambulance Service NHS Trust", "QJ2",
     ("QJ2", "QK1", "QJM", "QPM", "QT1")),
    ("RYA", "West Midlands Ambulance Service University NHS Foundation Trust", "QUA",
     ("QHL", "QUA", "QWU", "QGH", "QOC", "QNC")),
    ("RYC", "East of England Ambulance Service NHS Trust", "QHG", _EOE),
    ("RRU", "London Ambulance Service NHS Trust", "QRV", _LONDON),
    ("RYD", "South East Coast Ambulance Service NHS Foundation Trust", "QKS",
     ("QKS", "QXU", "QNX")),
    ("RYE", "South Central Ambulance Service NHS Foundation Trust", "QRL", ("QU9", "QRL", "QNQ")),
    ("RYF", "South Western Ambulance Service NHS Foundation Trust", "QUY",
     ("QOX", "QUY", "QT6", "QJK", "QVV", "QR1", "QSL")),
)

# Specialist trusts serving systems beyond their host.
_SPECIALIST_SERVES: dict[str, tuple[str, ...]] = {
    "RGM": _EOE,  # Royal Papworth: heart and lung services for the East of England
}


def trusts() -> tuple[TrustRef, ...]:
    out = [
        TrustRef(code, name, "acute", icb, _d(closed) if closed else None, successor,
                 _SPECIALIST_SERVES.get(code, ()))
        for code, name, icb, closed, successor in _ACUTE
    ]
    out += [TrustRef(code, name, kind, icb) for code, name, kind, icb in _MH_COMMUNITY]
    out += [TrustRef(code, name, "ambulance", host, serves=served)
            for code, name, host, served in _AMBULANCE]
    return tuple(sorted(out, key=lambda t: t.code))


# --- Cambridgeshire and Peterborough in detail -------------------------------------------------

CP_SYSTEM = "QUE"

# The CCG the ICB replaced on 1 July 2022.
CP_CCG = ("06H", "NHS Cambridgeshire and Peterborough CCG", dt.date(2013, 4, 1), ICB_OPENED)

# Local authorities (ONS codes): seed 003 §1.2.
CP_LOCAL_AUTHORITIES: tuple[tuple[str, str, str | None], ...] = (
    ("E10000003", "Cambridgeshire County Council", None),  # spans both places
    ("E06000031", "Peterborough City Council", "NORTH"),
)

# Places: the two integrated care partnerships (seed 000 §4, seed 004 "North and South").
CP_PLACES: tuple[tuple[str, str], ...] = (
    ("NORTH", "North Integrated Care Partnership"),
    ("SOUTH", "South Integrated Care Partnership"),
)

# Which place each C&P provider sits in (None: system-wide).
CP_TRUST_PLACE: dict[str, str | None] = {
    "RGN": "NORTH", "RGT": "SOUTH", "RGM": "SOUTH", "RT1": None, "RYV": None, "RYC": None,
}

# The 21 integrated neighbourhoods (seed 000: "north and south ICPs, 21 INs"). Names are
# plausible local names by geography, not the official PCN names.
CP_NEIGHBOURHOODS: tuple[tuple[str, str, str], ...] = (
    ("IN01", "Peterborough Central", "NORTH"),
    ("IN02", "Peterborough North", "NORTH"),
    ("IN03", "Peterborough East", "NORTH"),
    ("IN04", "Peterborough South and Hampton", "NORTH"),
    ("IN05", "Peterborough West and Werrington", "NORTH"),
    ("IN06", "Wisbech", "NORTH"),
    ("IN07", "March, Chatteris and Whittlesey", "NORTH"),
    ("IN08", "Huntingdon", "NORTH"),
    ("IN09", "St Ives", "NORTH"),
    ("IN10", "St Neots", "NORTH"),
    ("IN11", "Ramsey, Yaxley and Sawtry", "NORTH"),
    ("IN12", "Cambridge City Central", "SOUTH"),
    ("IN13", "Cambridge City North", "SOUTH"),
    ("IN14", "Cambridge City East", "SOUTH"),
    ("IN15", "Cambridge City South", "SOUTH"),
    ("IN16", "Cambridge Northern Villages", "SOUTH"),
    ("IN17", "Cambourne and West Cambridgeshire", "SOUTH"),
    ("IN18", "South Cambridgeshire Villages", "SOUTH"),
    ("IN19", "Ely", "SOUTH"),
    ("IN20", "Soham and East Cambridgeshire", "SOUTH"),
    ("IN21", "Royston Fringe and Melbourn", "SOUTH"),
)

# A few practices (invented codes and names), each in a neighbourhood.
CP_PRACTICES: tuple[tuple[str, str, str], ...] = (
    ("DEMOGP01", "Cathedral Square Surgery (demo)", "IN01"),
    ("DEMOGP02", "Nene Bridge Medical Centre (demo)", "IN03"),
    ("DEMOGP03", "Market Place Practice, Wisbech (demo)", "IN06"),
    ("DEMOGP04", "Riverside Health Centre, Huntingdon (demo)", "IN08"),
    ("DEMOGP05", "Mill Road Medical Practice (demo)", "IN14"),
    ("DEMOGP06", "Fen Edge Surgery, Ely (demo)", "IN19"),
)

# Provider collaboratives (seed 000: four collaboratives; seed 004 names the children's and MH/LD
# ones). (name, kind, members).
CP_COLLABORATIVES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Acute and Specialist Provider Collaborative", "acute", ("RGT", "RGN", "RGM")),
    ("Children and Young People's Collaborative", "children",
     ("RGT", "RGN", "RYV", "RT1", "E10000003", "E06000031")),
    ("Mental Health and Learning Disability Collaborative", "mental_health",
     ("RT1", "RYV", "E10000003", "E06000031")),
    ("Urgent and Emergency Care Collaborative", "urgent_emergency",
     ("RYC", "RGT", "RGN", "RT1", "RYV")),
    ("End of Life Care Collaborative", "end_of_life", ("RYV", "RGT", "RGN", "RGM")),
)


def pcn_code(neighbourhood_code: str) -> str:
    """The invented ODS-style code of the PCN behind a neighbourhood (never a real U-code)."""
    return f"DEMOPCN{neighbourhood_code[2:]}"


# --- Demo users (docs/demo.md) -------------------------------------------------------------------

@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str  # oversight.access.models.Role.Kind value
    scope: str | None  # region code, system code or organisation ODS code, by role
    is_staff: bool = False
    first_name: str = ""
    last_name: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo", "oversight-demo", "regional", "Y61", is_staff=True,
             first_name="Demo", last_name="Regional"),
    DemoUser("icb-que", "oversight-demo", "icb", "QUE", first_name="Demo", last_name="ICB"),
    DemoUser("soag-que", "oversight-demo", "soag_member", "QUE", first_name="Demo",
             last_name="SOAG"),
    DemoUser("cuh", "oversight-demo", "organisation", "RGT", first_name="Demo",
             last_name="CUH"),
)
