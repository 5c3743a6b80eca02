"""Writes the hostile import fixtures beside this file (run once; the files are committed).

Each file is what an agency or a careless export really produces: a stray quotation mark, Big5 and
Shift-JIS encodings, over-long fields, NaN amounts, formula cells, and a zip bomb posing as XLSX."""

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = "身份证号,姓名,手机号,住址,社区代码,待遇类型,首次领取日期,月待遇,最近认证日期,境外居住国"
ROWS = [
    "500103194702141029,马桂英,13800000001,重庆市渝中区民族路1号,500103003001,企业职工基本养老保险,2002-03-01,3120.00,2025-05-20,",
    "500105195309301054,何国强,13800000002,重庆市渝中区解放碑2号,500103003002,机关事业单位养老保险,2013-10-01,5210.00,2025-01-08,",
    "500103195812251063,罗淑华,13800000003,重庆市渝中区较场口3号,500103003001,城乡居民基本养老保险,2018-12-01,180.00,,",
    "500103194511111011,张建国,13800000004,重庆市渝中区七星岗4号,500103003001,企业职工基本养老保险,2005-12-01,2980.00,2025-03-02,",
    "500103195001011015,刘志强,13800000005,重庆市渝中区两路口5号,500103003002,企业职工基本养老保险,2010-02-01,3300.00,2025-04-11,",
    "50010319520303002X,陈淑华,13800000006,重庆市渝中区上清寺6号,500103003001,城乡居民基本养老保险,2012-04-01,190.00,2025-06-30,",
]


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode(encoding, "replace")


def main():
    # 1. Row 3's address opens a quotation mark; row 5's closes it: rows 3-5 would run together.
    quoted = list(ROWS)
    quoted[1] = quoted[1].replace(",重庆市渝中区解放碑2号,", ',"重庆市渝中区解放碑2号,')
    quoted[3] = quoted[3].replace(",重庆市渝中区七星岗4号,", ',重庆市渝中区七星岗4号",')
    (HERE / "roster-stray-quote.csv").write_bytes(csv_bytes(quoted))
    # A quotation mark in the middle of an unquoted value, and a row with an extra comma.
    inner = list(ROWS)
    inner[0] = inner[0].replace("马桂英", '马"桂"英')
    inner[2] = inner[2].replace("重庆市渝中区较场口3号", "重庆市渝中区,较场口3号")
    (HERE / "roster-inner-quote-and-extra-comma.csv").write_bytes(csv_bytes(inner))
    # 2. Traditional Chinese in Big5, and Japanese in Shift-JIS: neither is UTF-8 nor GB18030 text.
    big5 = [row.replace("马桂英", "馬桂英").replace("何国强", "何國強").replace("罗淑华", "羅淑華")
            .replace("重庆市渝中区", "重慶市渝中區").replace("企业职工基本养老保险", "企業職工基本養老保險")
            .replace("机关事业单位养老保险", "機關事業單位養老保險").replace("城乡居民基本养老保险", "城鄉居民基本養老保險")
            .replace("号", "號").replace("张建国", "張建國").replace("刘志强", "劉志強").replace("陈淑华", "陳淑華")
            for row in ROWS]  # fmt: skip
    traditional_header = (
        "身份證號,姓名,手機號,住址,社區代碼,待遇類型,首次領取日期,月待遇,最近認證日期,境外居住國"
    )
    (HERE / "roster-big5.csv").write_bytes(csv_bytes(big5, "big5", header=traditional_header))
    japanese = "\n".join([
        "id_number,name,phone,address,area_code,benefit_type,first_benefit_date,monthly_amount",
        "500103194702141029,やまだ はなこ,13800000001,東京都新宿区西新宿2丁目,500103003001,企業職工基本養老保険,2002-03-01,3120",
        "500105195309301054,サトウ タロウ,13800000002,大阪府大阪市北区梅田1丁目,500103003002,機関事業単位養老保険,2013-10-01,5210",
    ]) + "\n"  # fmt: skip
    (HERE / "roster-shift-jis.csv").write_bytes(japanese.encode("shift_jis"))
    # 3. Longer than the registry holds: a 47-character name, a 260-character address, a 50-character country.
    long_rows = list(ROWS[:3])
    long_rows[0] = long_rows[0].replace("马桂英", "马" * 47)
    long_rows[1] = long_rows[1].replace("重庆市渝中区解放碑2号", "重庆市渝中区解放碑" + "长" * 251)
    long_rows[2] = long_rows[2] + "A" * 50  # the last column, the country abroad
    (HERE / "roster-long-fields.csv").write_bytes(csv_bytes(long_rows))
    # 4. Not-a-number amounts.
    nan_rows = list(ROWS[:3])
    nan_rows[0] = nan_rows[0].replace("3120.00", "NaN")
    nan_rows[1] = nan_rows[1].replace("5210.00", "sNaN")
    (HERE / "roster-nan-amounts.csv").write_bytes(csv_bytes(nan_rows))
    # 4. Formula cells in an XLSX (a name that is a formula, an amount that is a sum).
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in ROWS[:3]:
        sheet.append(row.split(","))
    sheet["B2"] = '=CONCATENATE("马","桂英")'
    sheet["H3"] = "=5000+210"
    workbook.save(HERE / "roster-formulas.xlsx")
    # 5. A zip bomb named .xlsx: a few hundred KB that unpack to over 500 MB.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"<row><c><v>0</v></c></row>" * 40_000
            for _ in range(500):
                member.write(chunk)
    (HERE / "zip-bomb.xlsx").write_bytes(buffer.getvalue())


if __name__ == "__main__":
    main()
