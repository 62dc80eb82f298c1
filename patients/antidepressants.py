"""Which prior medicines are antidepressants, for the treatment-resistant depression count (docs/clinical.md §1.6).

Staff record a prior trial's kind; "Antidepressant medication" is what the count takes. This list is the check on
that choice: a medicine named here is an antidepressant, and the prior-treatment form refuses it recorded as another
kind of medicine. It is not the definition: a medicine missing from it may still be recorded as an antidepressant.

The list is the WHO ATC group N06A (antidepressants: N06AA non-selective monoamine reuptake inhibitors, N06AB SSRIs,
N06AF and N06AG MAO inhibitors, N06AX others) [R8e], limited to the medicines marketed or still met in clinics, by
international non-proprietary name, with the US brand names under which they are usually prescribed (DailyMed). A
medicine is classed by what it is, not by why it was given: amitriptyline taken to prevent migraine is an
antidepressant, and whether that trial was adequate for depression is the "adequate trial" answer. Augmentation with
an antipsychotic or lithium (N05A, N05AN) is not an antidepressant trial here; the selegiline patch (N04BD01) is
not on the list, and staff may still record it as an antidepressant.
"""

from __future__ import annotations

import re

#: International non-proprietary names of WHO ATC group N06A [R8e].
ANTIDEPRESSANT_NAMES = frozenset(
    {
        # N06AA non-selective monoamine reuptake inhibitors (tricyclics and related)
        "amitriptyline", "amoxapine", "clomipramine", "desipramine", "dosulepin", "dothiepin", "doxepin",
        "imipramine", "lofepramine", "maprotiline", "nortriptyline", "protriptyline", "trimipramine",
        # N06AB selective serotonin reuptake inhibitors
        "citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline",
        # N06AF, N06AG monoamine oxidase inhibitors
        "isocarboxazid", "moclobemide", "phenelzine", "tranylcypromine",
        # N06AX other antidepressants
        "agomelatine", "bupropion", "desvenlafaxine", "duloxetine", "esketamine", "levomilnacipran",
        "mianserin", "milnacipran", "mirtazapine", "nefazodone", "reboxetine", "tianeptine", "trazodone",
        "venlafaxine", "vilazodone", "vortioxetine",
    }
)  # fmt: skip

#: US brand names of the medicines above, as staff often type them.
ANTIDEPRESSANT_BRANDS = {
    "anafranil": "clomipramine", "aplenzin": "bupropion", "celexa": "citalopram", "cymbalta": "duloxetine",
    "desyrel": "trazodone", "effexor": "venlafaxine", "elavil": "amitriptyline",
    "fetzima": "levomilnacipran", "lexapro": "escitalopram", "luvox": "fluvoxamine", "marplan": "isocarboxazid",
    "nardil": "phenelzine", "pamelor": "nortriptyline", "parnate": "tranylcypromine", "paxil": "paroxetine",
    "pexeva": "paroxetine", "pristiq": "desvenlafaxine", "prozac": "fluoxetine", "remeron": "mirtazapine",
    "sarafem": "fluoxetine", "sinequan": "doxepin", "spravato": "esketamine", "tofranil": "imipramine",
    "trintellix": "vortioxetine", "viibryd": "vilazodone", "wellbutrin": "bupropion", "zoloft": "sertraline",
}  # fmt: skip


def antidepressant_in(text: str) -> str | None:
    """The antidepressant ``text`` names ("Sertraline 150 mg", "Zoloft"), as its non-proprietary name; None when it
    names none of the list."""
    words: list[str] = re.findall(r"[a-z]+", text.lower())
    for word in words:
        if word in ANTIDEPRESSANT_NAMES:
            return word
        if word in ANTIDEPRESSANT_BRANDS:
            return ANTIDEPRESSANT_BRANDS[word]
    return None
