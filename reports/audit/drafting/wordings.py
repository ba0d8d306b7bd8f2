"""The sentences of the canonical questions' figures in sections 4.1 to 4.6, worded as the
Charente 2016 report words them."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports.indicators import FAVOURABLE

# (question code, choice code or FAVOURABLE, wording). The wording's %(rate)s is the
# percentage; %(users)s is "des usagers", narrowed to a channel when the figure is.
Wording = tuple[str, str, str | Promise]

SHARE_SENTENCES: dict[str, list[Wording]] = {
    "4.1": [
        (
            "profil_statut",
            "particulier",
            _("%(rate)s %(users)s ayant répondu sont des particuliers"),
        ),
        (
            "profil_motif",
            "titres_de_circulation",
            _(
                "%(rate)s %(users)s se déplacent pour les titres de circulation "
                "(certificats d'immatriculation, permis de conduire)"
            ),
        ),
        (
            "profil_frequence",
            "au_plus_une_fois_par_an",
            _("%(rate)s %(users)s se déplacent au plus une fois par an"),
        ),
        (
            "profil_transport",
            "vehicule",
            _("%(rate)s %(users)s ont utilisé leur véhicule pour se rendre en préfecture"),
        ),
    ],
    "4.2": [
        (
            "info_renseigne",
            "oui",
            _(
                "%(rate)s %(users)s venus en préfecture ont cherché à s'informer sur les "
                "conditions d'accès avant de venir"
            ),
        ),
        ("info_source", "internet", _("parmi eux, %(rate)s se sont renseignés sur Internet")),
        (
            "info_facilite",
            FAVOURABLE,
            _(
                "quel que soit le canal d'information utilisé, %(rate)s ont trouvé facilement "
                "les coordonnées et les horaires d'accueil en préfecture"
            ),
        ),
    ],
    "4.3": [
        (
            "hall_satisfaction_globale",
            FAVOURABLE,
            _(
                "le niveau de satisfaction globale de l'accueil en préfecture "
                "(question %(number)s) s'élève à %(rate)s"
            ),
        ),
    ],
    "4.4": [
        (
            "tel_a_appele",
            "oui",
            _(
                "%(rate)s %(users)s ayant répondu au questionnaire ont appelé la préfecture "
                "au cours des 3 derniers mois"
            ),
        ),
        (
            "tel_appel_avant_venue",
            "oui",
            _(
                "%(rate)s des usagers interrogés dans le hall d'accueil avaient appelé la "
                "préfecture avant de venir"
            ),
        ),
        (
            "tel_deplace_apres_appel",
            "oui",
            _(
                "sur les %(n)s questionnaires complétés lors de l'enquête téléphonique, "
                "%(rate)s des usagers se sont déplacés après avoir appelé les services de la "
                "préfecture"
            ),
        ),
        (
            "tel_svi_utilise",
            "oui",
            _(
                "%(rate)s %(users)s ayant appelé la préfecture ont utilisé son serveur vocal "
                "interactif (SVI)"
            ),
        ),
        (
            "tel_satisfaction_globale",
            FAVOURABLE,
            _(
                "la satisfaction globale pour l'accueil et l'information par téléphone "
                "(question %(number)s) s'élève à %(rate)s"
            ),
        ),
    ],
    "4.5": [
        (
            "web_a_consulte",
            "oui",
            _(
                "%(rate)s %(users)s ont consulté le site internet de la préfecture au cours "
                "des 6 derniers mois"
            ),
        ),
        (
            "web_demarche_en_ligne",
            "oui",
            _(
                "%(rate)s %(users)s ayant consulté le site internet de la préfecture ont "
                "vérifié si la démarche pour laquelle ils se sont déplacés pouvait s'effectuer "
                "sur Internet"
            ),
        ),
        (
            "rs_connait",
            "oui",
            _("%(rate)s %(users)s savent que la préfecture est présente sur les réseaux sociaux"),
        ),
        (
            "rs_a_echange",
            "oui",
            _(
                "%(rate)s %(users)s qui connaissent la présence de la préfecture sur les "
                "réseaux sociaux ont communiqué avec elle"
            ),
        ),
        (
            "web_satisfaction_globale",
            FAVOURABLE,
            _(
                "la satisfaction globale des usagers pour le site internet "
                "(question %(number)s) s'élève à %(rate)s"
            ),
        ),
        (
            "rs_satisfaction_globale",
            FAVOURABLE,
            _(
                "la satisfaction globale pour la présence de la préfecture sur les réseaux "
                "sociaux (question %(number)s) s'élève à %(rate)s"
            ),
        ),
    ],
    "4.6": [
        (
            "label_qualipref",
            "oui",
            _(
                "%(rate)s %(users)s ont connaissance du référentiel de qualité de la "
                "préfecture (question %(number)s)"
            ),
        ),
    ],
}
# Questions the drafts leave out on purpose: the commune is drafted by arrondissement and
# EPCI, the remarks are section 5.
SKIPPED = frozenset({"profil_commune", "remarques"})
WORDED = frozenset(code for wordings in SHARE_SENTENCES.values() for code, _c, _w in wordings)
