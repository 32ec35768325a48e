"""Load the bundled statutes (src/zhifa/catalog/data/laws) article by article (法律依据清单).

Later changes to the bundle are loaded with ``zhifa laws load``.
"""

import hashlib

from django.db import migrations


def load(apps, schema_editor):
    from zhifa.catalog.lawtext import BUNDLED_LAWS_DIR, parse_law_file

    Law = apps.get_model("catalog", "Law")
    Provision = apps.get_model("catalog", "Provision")
    for path in sorted(BUNDLED_LAWS_DIR.glob("*.md")):
        parsed = parse_law_file(path)
        law = Law.objects.create(
            title=parsed.title,
            short_title=parsed.short_title,
            kind="law" if parsed.title.endswith("法") and not parsed.title.endswith("办法") else "regulation",
            amended_on=parsed.amended_on,
            history=parsed.history,
            source_name=path.name,
            source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        Provision.objects.bulk_create(
            Provision(law=law, number=p.number, label=p.label, chapter=p.chapter, section=p.section, text=p.text)
            for p in parsed.provisions
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
