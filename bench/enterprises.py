"""Writes a registry of N enterprises (default 200,000) as the import's CSV, spread over the
villages of 20 provinces, a third of them with one open position: `python3 bench/enterprises.py
OUT.csv [N]`. Deterministic (a fixed seed)."""
import csv
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
rng = random.Random(11)
# The official subdistricts of 20 provinces (the programme's size), villages 01-09.
provinces = {"52", "45", "50", "57", "34", "30", "40", "41", "44", "46", "47", "48", "31", "32", "33", "35", "36", "49", "53", "54"}
areas = os.path.join(os.path.dirname(__file__), "..", "crates", "thanrak-core", "data", "thai-admin-areas.csv")
with open(areas, encoding="utf-8") as f:
    subdistricts = sorted(r[0] for r in csv.reader(f) if len(r[0]) == 6 and r[0][:2] in provinces)
kinds = ["community_enterprise", "otop", "sme", "cbt", "cooperative"]
names = ["กลุ่มทอผ้า", "แปรรูปอาหาร", "จักสาน", "เซรามิก", "ท่องเที่ยวชุมชน", "สหกรณ์การเกษตร", "โรงสีข้าว", "ผ้าไหม"]
skills = ["", "agriculture", "handicraft", "food_processing", "construction", "tourism_service", "trade"]
header = ["enterprise_id", "kind", "name", "village_code", "lat", "lon", "employees", "local_employees",
          "local_resource_pct", "shares_income", "registration_no", "otop_stars", "position_id",
          "position_title", "position_places", "position_skills", "position_wage_baht", "position_season"]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(header)
    for i in range(1, n + 1):
        kind = kinds[i % 5]
        village = f"{rng.choice(subdistricts)}{rng.randint(1, 9):02d}"
        emp = rng.randint(1, 60)
        row = [i, kind, f"{rng.choice(names)} {i}", village, f"{14 + rng.random() * 5:.6f}",
               f"{99 + rng.random() * 5:.6f}", emp, rng.randint(0, emp), rng.randint(0, 100),
               rng.randint(0, 1), f"REG-{i}" if kind == "community_enterprise" else "",
               rng.randint(1, 5) if kind == "otop" else ""]
        if i % 3 == 0:
            row += [i, "พนักงาน", rng.randint(1, 9), rng.choice(skills), rng.randint(6000, 15000), "all_year"]
        else:
            row += ["", "", "", "", "", ""]
        w.writerow(row)
