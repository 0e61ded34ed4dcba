"""Value lists of the synthetic population: names, streets, birthplaces, religions, occupations.

Given and family names start from Faker's ``id_ID`` person provider, read as data (its class
attributes), never called per row. Faker mixes genders in places (``Dariati``, ``Olga`` and
``Upik`` among the men, ``Genta`` among the women) and carries titles as names (``Raden``,
``Pangeran``); those are left out, and common Palembang Malay and Muslim names are added, since
the provider's lists are mostly Javanese. Unisex names (``Ade``, ``Eka``) stay in both lists.
"""

from __future__ import annotations

from faker.providers.person.id_ID import Provider as _IndonesianNames

_NOT_MALE = frozenset({"Dariati", "Darsirah", "Daryani", "Olga", "Upik", "Vero", "Vega", "Umay"})
_NOT_FEMALE = frozenset({"Genta", "Restu", "Ciaobella"})
_TITLES = frozenset({"Raden", "Pangeran", "Xanana"})
# Batak and Ambonese clan names in Faker's male surname list; women carry them too.
_MARGA = frozenset({
    "Damanik", "Dongoran", "Dabukke", "Hutagalung", "Hutapea", "Hutasoit", "Latupono",
    "Mangunsong", "Manullang", "Marpaung", "Marbun", "Nainggolan", "Nababan", "Napitupulu",
    "Siregar", "Sihombing", "Samosir", "Saragih", "Sihotang", "Simanjuntak", "Sinaga",
    "Simbolon", "Sitompul", "Sitorus", "Sirait", "Situmorang", "Tampubolon", "Tamba",
    "Tarihoran"
})  # fmt: skip

_PALEMBANG_MALE = (
    "Ahmad", "Abdul", "Abdullah", "Andi", "Arif", "Azhar", "Dedi", "Dodi", "Effendi", "Fajar",
    "Firdaus", "Herman", "Husin", "Irwansyah", "Junaidi", "Khairul", "Nazaruddin", "Ridho",
    "Ruslan", "Sudirman", "Syahrial", "Syamsudin", "Yusri", "Zainal", "Zulkifli", "Anton",
    "Robert", "Yulius", "Hamdan", "Rusdi", "Yusuf", "Amri", "Mansyur", "Hasbi", "Fikri",
    "Akbar", "Rizal", "Alamsyah", "Mukhlis", "Zulfikar", "Rahmad", "Taufiq", "Ilham", "Ferdi",
    "Novri", "Riko", "Hengki", "Syarifuddin"
)  # fmt: skip
_PALEMBANG_FEMALE = (
    "Nurhayati", "Siti", "Rosmala", "Rohaya", "Asmah", "Fatimah", "Aminah", "Zubaidah", "Susi",
    "Sri", "Yuliana", "Linda", "Marlina", "Erna", "Desi", "Herlina", "Nurhasanah", "Rosidah",
    "Sumiati", "Wati", "Yeni", "Ratnasari", "Masitoh", "Nurlela", "Elvira", "Fitri", "Novita",
    "Rini", "Yusnita", "Maryam", "Halimah", "Khadijah", "Nuraini", "Rosita", "Juwita", "Meri",
    "Heni", "Lia", "Evi", "Nita", "Yanti", "Sulastri", "Murni", "Emilia", "Rahmawati", "Dewi",
    "Nurjanah", "Yulianti"
)  # fmt: skip


def _upper_unique(names: tuple[str, ...] | list[str], leave_out: frozenset[str]) -> tuple[str, ...]:
    """Return the names upper-cased, first occurrences only, without those left out."""
    kept: dict[str, None] = {}
    for name in names:
        if name not in leave_out:
            kept.setdefault(name.upper(), None)
    return tuple(kept)


GIVEN_MALE = _upper_unique(
    [*_IndonesianNames.first_names_male, *_PALEMBANG_MALE], _NOT_MALE | _TITLES
)
GIVEN_FEMALE = _upper_unique(
    [*_IndonesianNames.first_names_female, *_PALEMBANG_FEMALE], _NOT_FEMALE | _TITLES
)
FAMILY_MALE = _upper_unique(_IndonesianNames.last_names_male, _MARGA)
FAMILY_FEMALE = _upper_unique(_IndonesianNames.last_names_female, frozenset())
MARGA = _upper_unique(sorted(_MARGA), frozenset())

# One street per RT; "LR." (lorong) is the Palembang word for a lane.
STREETS = tuple(
    "JL. " + name
    for name in (
        "JEND. SUDIRMAN", "MERDEKA", "KOL. ATMO", "MAYOR RUSLAN", "KAPTEN A. RIVAI",
        "DEMANG LEBAR DAUN", "R. SOEKAMTO", "BASUKI RAHMAT", "MP. MANGKUNEGARA", "KI MEROGAN",
        "A. YANI", "SLAMET RIYADI", "SOEKARNO HATTA", "ANGKATAN 45", "INSPEKTUR MARZUKI",
        "SERSAN SANI", "LETNAN MURAD", "KH. AZHARI", "PANCA USAHA", "DI. PANJAITAN",
        "PERINDUSTRIAN", "SEI SELAYUR", "TALANG KELAPA", "PADAT KARYA", "KOL. H. BURLIAN",
        "MAYOR ZEN", "RESIDEN ABDUL ROZAK", "DR. M. ISA", "TEMBOK BARU", "SENTOSA",
    )
) + tuple(
    "LR. " + name
    for name in (
        "SEPAKAT", "MAWAR", "MELATI", "KENANGA", "BERINGIN", "PERSATUAN", "SETIA", "BUDIMAN",
        "PINANG", "DAMAI", "AMAN", "KARYA", "MUSI", "SIAGA", "HARAPAN", "SUKA MAJU",
        "SUKA DAMAI", "JAYA", "KEMUNING", "CEMPAKA", "ANGGREK", "RAMBUTAN", "DUKU", "DURIAN",
        "MANGGA", "SAWO", "NANGKA", "JAMBU", "PELITA", "TEMBUSAN", "MASJID", "LANGGAR",
        "SEKOLAH", "PASAR", "LEBAK", "RAWA", "TALANG", "SUNGAI", "KEBON", "PENDAWA",
        "SEDERHANA", "SEJAHTERA", "REMAJA", "PEMUDA", "KELUARGA", "SINAR", "BAKTI", "ABADI",
    )
)  # fmt: skip

# Born elsewhere: mostly South Sumatra and its neighbours, some Java.
OTHER_BIRTHPLACES = (
    "PRABUMULIH", "LAHAT", "BATURAJA", "MUARA ENIM", "KAYU AGUNG", "LUBUK LINGGAU",
    "PAGAR ALAM", "SEKAYU", "INDRALAYA", "MARTAPURA", "TANJUNG ENIM", "PANGKAL PINANG",
    "JAMBI", "BENGKULU", "BANDAR LAMPUNG", "PADANG", "MEDAN", "JAKARTA", "BANDUNG",
    "SEMARANG", "YOGYAKARTA", "SURABAYA", "PALEMBANG",
)  # fmt: skip

# Palembang, Sensus Penduduk 2010 (BPS), in SIAK spelling.
AGAMA_SHARES = (
    ("ISLAM", 0.926),
    ("BUDHA", 0.040),
    ("KRISTEN", 0.017),
    ("KATHOLIK", 0.014),
    ("HINDU", 0.001),
    ("KHONGHUCU", 0.002),
)

# (from age, to age exclusive, jenis_kelamin or "" for both, shares of occupations)
OCCUPATION_BANDS: tuple[tuple[int, int, str, tuple[tuple[str, float], ...]], ...] = (
    (0, 5, "", (("BELUM/TIDAK BEKERJA", 1.0),)),
    (5, 17, "", (("PELAJAR/MAHASISWA", 0.93), ("BELUM/TIDAK BEKERJA", 0.07))),
    (17, 23, "L", (
        ("PELAJAR/MAHASISWA", 0.45), ("BELUM/TIDAK BEKERJA", 0.15), ("KARYAWAN SWASTA", 0.15),
        ("WIRASWASTA", 0.08), ("BURUH HARIAN LEPAS", 0.10), ("PEDAGANG", 0.04), ("SOPIR", 0.03),
    )),
    (17, 23, "P", (
        ("PELAJAR/MAHASISWA", 0.47), ("BELUM/TIDAK BEKERJA", 0.18), ("KARYAWAN SWASTA", 0.15),
        ("MENGURUS RUMAH TANGGA", 0.12), ("WIRASWASTA", 0.05), ("PEDAGANG", 0.03),
    )),
    (23, 56, "L", (
        ("WIRASWASTA", 0.28), ("KARYAWAN SWASTA", 0.24), ("BURUH HARIAN LEPAS", 0.12),
        ("PEDAGANG", 0.08), ("PNS", 0.07), ("SOPIR", 0.04), ("TNI", 0.01), ("POLRI", 0.01),
        ("GURU", 0.02), ("PETANI", 0.02), ("NELAYAN/PERIKANAN", 0.01), ("KARYAWAN BUMN", 0.02),
        ("TUKANG", 0.03), ("BELUM/TIDAK BEKERJA", 0.05),
    )),
    (23, 56, "P", (
        ("MENGURUS RUMAH TANGGA", 0.48), ("KARYAWAN SWASTA", 0.13), ("WIRASWASTA", 0.12),
        ("PEDAGANG", 0.08), ("PNS", 0.06), ("GURU", 0.04), ("BURUH HARIAN LEPAS", 0.03),
        ("BELUM/TIDAK BEKERJA", 0.05), ("KARYAWAN BUMN", 0.01),
    )),
    (56, 200, "L", (
        ("PENSIUNAN", 0.25), ("WIRASWASTA", 0.25), ("PEDAGANG", 0.10),
        ("BELUM/TIDAK BEKERJA", 0.25), ("PETANI", 0.05), ("BURUH HARIAN LEPAS", 0.05),
        ("KARYAWAN SWASTA", 0.05),
    )),
    (56, 200, "P", (
        ("MENGURUS RUMAH TANGGA", 0.55), ("PENSIUNAN", 0.10), ("PEDAGANG", 0.08),
        ("WIRASWASTA", 0.07), ("BELUM/TIDAK BEKERJA", 0.20),
    )),
)  # fmt: skip

OCCUPATIONS = tuple(
    dict.fromkeys(name for *_band, shares in OCCUPATION_BANDS for name, _share in shares)
)
