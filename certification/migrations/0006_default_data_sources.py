"""The data sources the city starts with (issue 7); administrators edit them afterwards."""

from django.db import migrations

DEFAULT_SOURCES = [
    # code, name, carries alive, carries death, alive certifies alone
    ("medical_insurance", "医保就医结算", True, False, True),
    ("civil_affairs", "民政", True, True, True),
    ("hrss_internal", "人社内部", True, False, True),
    ("cremation", "殡葬火化", False, True, False),
    ("death_certificate", "卫健死亡证明", False, True, False),
    ("household_deregistration", "公安户籍注销", False, True, False),
    ("transport", "交通出行", True, False, False),
    ("bank", "银行", True, False, False),
]


def add_sources(apps, schema_editor):
    DataSource = apps.get_model("certification", "DataSource")
    for code, name, alive, death, alone in DEFAULT_SOURCES:
        DataSource.objects.update_or_create(
            code=code,
            defaults={"name": name, "carries_alive": alive, "carries_death": death, "alive_certifies_alone": alone},
        )


def remove_sources(apps, schema_editor):
    apps.get_model("certification", "DataSource").objects.filter(code__in=[row[0] for row in DEFAULT_SOURCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("certification", "0005_outbox_lighter_indexes")]

    operations = [migrations.RunPython(add_sources, remove_sources)]
