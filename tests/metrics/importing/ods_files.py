"""Small files in the layouts NHS England's Organisation Data Service publishes (headerless,
27 columns for organisations, 5 for successors), with real organisations' codes, names,
groupings and dates as ODS lists them."""

from __future__ import annotations


def ods_row(code: str, name: str, grouping: str, geography: str, opened: str,
            closed: str = "", postcode: str = "") -> str:
    """One organisation row: code, name, national grouping, high level health geography,
    address lines 1-5, postcode, open date, close date, then the 15 columns not read."""
    cells = [code, name, grouping, geography, "", "", "", "", "", postcode, opened, closed]
    cells += [""] * 15
    return ",".join(f'"{c}"' for c in cells) + "\n"


ICBS = (
    ods_row("QUE", "NHS CAMBRIDGESHIRE AND PETERBOROUGH INTEGRATED CARE BOARD", "Y61", "Y61",
            "20220701", postcode="PE1 5QN")
    + ods_row("QHG", "NHS BEDFORDSHIRE, LUTON AND MILTON KEYNES INTEGRATED CARE BOARD", "Y61",
              "Y61", "20220701")
)
SUB_ICBS = ods_row("06H", "NHS CAMBRIDGESHIRE AND PETERBOROUGH ICB - 06H", "Y61", "QUE",
                   "20130401")
TRUSTS = (
    ods_row("RGT", "CAMBRIDGE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST", "Y61", "QUE",
            "19920401", postcode="CB2 0QQ")
    + ods_row("RQQ", "HINCHINGBROOKE HEALTH CARE NHS TRUST", "Y61", "QUE", "19910401",
              "20170331")
    + ods_row("RGN", "NORTH WEST ANGLIA NHS FOUNDATION TRUST", "Y61", "QUE", "20040401")
    + ods_row("RYC", "EAST OF ENGLAND AMBULANCE SERVICE NHS TRUST", "Y61", "QHG", "20060701")
    + ods_row("RT1", "CAMBRIDGESHIRE AND PETERBOROUGH NHS FOUNDATION TRUST", "Y61", "QUE",
              "20020401")
)
SUCCESSORS = '"RQQ","RGN","R","20170401",""\n"X99","Y98","R","20200401",""\n'
