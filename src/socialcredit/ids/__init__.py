"""Subject identifiers: validated, canonical, never a name.

A person is identified by a resident identity number (GB 11643-1999), a foreign permanent residence ID card
number, or a passport (issuer and number); an organization by its Unified Social Credit Code
(GB 32100-2015). :func:`parse_subject_id` accepts any of them and returns a :class:`SubjectId` whose
``value`` is the canonical string stored everywhere. Validation builds on python-stdnum (``stdnum.cn.ric``,
``stdnum.cn.uscc``, its division database and ISO 7064) and adds what the standards require beyond it; each
scheme's module says exactly what. Pure: no I/O beyond reading the packaged code tables.
"""

from socialcredit.ids.foreign import make_permanent_residence_id, passport_id
from socialcredit.ids.model import IdScheme, SubjectId, SubjectKind
from socialcredit.ids.resident import make_resident_id, mask_resident_id
from socialcredit.ids.subject import parse_subject_id
from socialcredit.ids.uscc import make_uscc, org_code_check_character

__all__ = [
    "IdScheme",
    "SubjectId",
    "SubjectKind",
    "make_permanent_residence_id",
    "make_resident_id",
    "make_uscc",
    "mask_resident_id",
    "org_code_check_character",
    "parse_subject_id",
    "passport_id",
]
