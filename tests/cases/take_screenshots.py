"""Screenshots of the case pages (not a test): ``PYTHONPATH=src:. python -m
tests.cases.take_screenshots``. Builds a mentorship with a case, an image and the
mentor's recommendations in a fresh SQLite file, serves the app with uvicorn and
photographs the pages in chromium at 1280 and 390 px, in English (the doctor) and
Arabic (the head), into docs/screenshots/case-*.png."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = Path(tempfile.mkdtemp(prefix="case-shots-"))
os.environ["VAR_DIR"] = str(VAR)
os.environ["DATABASE_URL"] = f"sqlite:///{VAR / 'platform.sqlite3'}"
os.environ["UPLOADS_DIR"] = str(VAR / "uploads")
os.environ.pop("REDIS_URL", None)

from PIL import Image, ImageDraw  # noqa: E402

from matching.cases.schemas import ImageUpload  # noqa: E402
from matching.cases.services import (  # noqa: E402
    CONSENT_STATEMENT,
    answer_case,
    submit_case,
)
from matching.db import make_engine, use_engine  # noqa: E402
from matching.i18n import gettext  # noqa: E402
from matching.migrate import apply_migrations  # noqa: E402
from tests.cases.scenes import draft, mentorship_scene  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402

PORT = 8765
OUT = ROOT / "docs" / "screenshots"


def _picture() -> bytes:
    """A chest-film-like grey picture (no patient in it)."""
    image = Image.new("L", (800, 600), 20)
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 80, 390, 540), fill=90)
    draw.ellipse((410, 80, 650, 540), fill=110)
    draw.rectangle((385, 60, 415, 560), fill=200)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


async def _data() -> dict:
    use_engine(make_engine(os.environ["DATABASE_URL"]))
    await apply_migrations()
    world = await mentorship_scene()
    uploads = Path(os.environ["UPLOADS_DIR"])
    view = await submit_case(
        world["head"],
        world["proposal"],
        draft(
            age_band="under_1_month",
            sex="male",
            presenting_problem="Newborn of 34 weeks, 2.1 kg, grunting and retractions since "
            "birth, 6 hours ago. Born by caesarean section in our hospital.",
            history="Mother 31 years, G3P2, no antenatal steroids. Fever in labour. "
            "No prior neonatal deaths in the family.",
            findings="RR 72, HR 168, SpO2 86% in air, 93% on 2 L/min by nasal cannula. "
            "Glucose 2.4 mmol/L. Chest film attached.",
            question="We have one bubble CPAP set and no surfactant. Start CPAP here, or "
            "transfer to Homs (2 hours by road)? What should we watch during the first 24 h?",
            images=[ImageUpload(content=_picture(), filename="film.jpg")],
        ),
        uploads_dir=uploads,
        consent_text=gettext("ar", CONSENT_STATEMENT),  # the head reads Arabic
    )
    await answer_case(
        world["doctor"],
        view.id,
        "1. Start bubble CPAP at 5-6 cmH2O now; do not wait for the transfer.\n"
        "2. Correct the glucose: 2 ml/kg of 10% dextrose, then a 10% drip at 60 ml/kg/day.\n"
        "3. Start ampicillin and gentamicin after a blood culture (fever in labour).\n"
        "4. Transfer if FiO2 needs rise above 40% or he tires (apnoea, rising CO2).\n"
        "5. Watch: SpO2 target 90-95%, temperature, glucose every 3 hours.",
    )
    second = await submit_case(
        world["clinician"],
        world["proposal"],
        draft(question="Jaundice on day 3 in a breastfed term baby: when to refer?"),
        uploads_dir=uploads,
    )
    return {**world, "case": view.id, "second": second.id}


def _serve() -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--host", "127.0.0.1", "--port", str(PORT)],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


async def _shots(world: dict) -> None:
    from playwright.async_api import async_playwright

    base = f"http://127.0.0.1:{PORT}"
    pages = {
        "case": f"/cases/{world['case']}",
        "cases": f"/mentorships/{world['proposal']}/cases",
    }
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium")
        for language, account in (("en", world["doctor"]), ("ar", world["head"])):
            for width, name in ((1280, "desktop"), (390, "phone")):
                context = await browser.new_context(viewport={"width": width, "height": 800})
                page = await context.new_page()
                await page.goto(f"{base}/login")
                await page.fill("#email", account.email)
                await page.fill("#password", PASSWORD)
                await page.click("form[action='/login'] button[type=submit]")
                await page.wait_for_load_state("networkidle")
                for key, path in pages.items():
                    await page.goto(base + path)
                    await page.wait_for_load_state("networkidle")
                    wide = await page.evaluate("document.documentElement.scrollWidth")
                    print(f"{key}-{language}-{name}: scrollWidth {wide} (viewport {width})")
                    target = OUT / f"{key}-{language}-{name}.png"
                    await page.screenshot(path=str(target), full_page=True)
                    with Image.open(target) as shot:  # small PNGs: 256 colours
                        shot.convert("RGB").quantize(256).save(target, optimize=True)
                await context.close()
        await browser.close()


def main() -> None:
    world = asyncio.run(_data())
    server = _serve()
    try:
        asyncio.run(_shots(world))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
