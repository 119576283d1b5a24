"""Published sources, and notes, quoted by rows of the validation table
(:mod:`painsim.validation.targets`)."""

__all__ = ["ANDREW", "ENROLMENT", "KELLER", "LE_BARS", "NEURON_NOTE", "SCS_GEOMETRY", "SOTGIU", "TSSP",
           "TSSP_NOTE", "CHANDRAN_2003", "SENZA_RCT", "SCS_COURSE_NOTE", "CUI_1996", "MALAN_2002", "SLUKA_1999_FREQUENCIES",
           "TENS_TOLERANCE_SOURCES", "JOHNSON_2022", "TENS_TRIAL_NOTE", "RTMS_META_2022", "RTMS_TRIAL_NOTE", "RUSCHEWEYH_2010", "COLD_NOTE",
           "YARNITSKY_1992", "RAMP_ROWS", "RAMP_NOTE", "ROLKE_2006_HPT", "BROWN_2025", "URASAKI_2014", "QUESADA_2020",
           "HUANG_2005", "GAMBOA_2010", "TBS_NOTE", "TBS_FIT_NOTE"]

#: Huang et al. 2005: the theta-burst patterns and the directions of their after-effects.
HUANG_2005 = ("Huang, Edwards, Rounis, Bhatia & Rothwell 2005 Neuron 45:201: 600 pulses of iTBS over M1 facilitated "
              "MEPs, 600 of cTBS inhibited them [recalled: the paper's main result; the abstract not re-read here]; "
              "the rule's source model was fitted to these sessions' MEP time courses (Huang et al. 2011; Ma et al. "
              "2022)")
#: Gamboa et al. 2010: doubling either theta-burst pattern reverses its after-effect.
GAMBOA_2010 = ("Gamboa, Antal, Moliadze & Paulus 2010 Exp Brain Res 204:181 [checked: abstract]: 14 healthy volunteers; "
               "\"conventional facilitatory iTBS converted into inhibitory when it was applied for twice as long, while "
               "the normally inhibitory cTBS became facilitatory when the stimulation duration was doubled\" (sizes "
               "not in the abstract; 600 and 1200 pulses inferred from the standard 600-pulse protocols doubled)")
#: What the theta-burst rows measure and how they are judged.
TBS_NOTE = ("the source gives the direction only: the verdict is the sign; MEPs read as the PAG/RVM response that "
            "M1's plastic outputs carry (a TMS pulse fires M1 by a fixed threshold, so M1's own response cannot "
            "change; painsim.validation.theta_burst)")
#: What the 600-pulse theta-burst rows are calibrated on.
TBS_FIT_NOTE = ("the rule's plasticity.tbs_calcium.rise_factor, .rise_decay, .level_factor and .level_decay are the "
                "source model's fit to these 600-pulse sessions' MEP time courses (Huang 2011; Ma 2022), so "
                "agreement is a check, not evidence; ")

#: Quesada et al. 2020: spaced 20 Hz M1 rTMS against sham in central neuropathic pain.
QUESADA_2020 = ("Quesada, Pommier, Fauchon, Bradley, Créac'h, Murat, Vassal & Peyron 2020 Pain 161:718 [checked: "
                "abstract]: 36 patients with medically refractory central neuropathic pain, randomized crossover of "
                "an active and a sham phase (wash-out 8 weeks), each 4 sessions of 20 Hz rTMS of M1 (neuronavigated "
                "robot) and a final evaluation, all 3 weeks apart; relief from baseline 33.8 % [23.88-43.74] active, "
                "13.02 % [6.64-19.76] sham; 17 responders (47 %, definition not in the abstract). Range chosen: "
                "the difference +/- 1.96 SE with the two intervals' SEs combined as if independent (5.07 and 3.35 "
                "points: +/- 11.9), wider than the crossover's paired interval, which the abstract does not give")
#: Urasaki et al. 2014: the SEP collision test of spinal cord stimulation.
URASAKI_2014 = ("Urasaki, Tsuda, Nakane, Toyoda, Umeno & Yamakawa 2014 Neuromodulation 17:746 [checked: abstract]: in "
                "12 patients with permanent SCS, the cortical SEP to posterior tibial nerve stimulation was recorded "
                "during SCS; a positive collision, the SEP amplitude \"clearly reduced by the SCS\", was found with "
                "and without pain relief (Types 1 and 2) and read as dorsal-column activation. Published direction "
                "only: reduced")

#: Chandran & Sluka 2003: TENS tolerance and cross-tolerance to intrathecal opioid agonists.
CHANDRAN_2003 = ("Chandran & Sluka 2003 Pain 102:195 [checked: abstract]: knee-joint inflammation in rats, 4 Hz "
                 "or 100 Hz TENS 20 min daily for 6 days lost its antihyperalgesic effect by the 4th day; then "
                 "intrathecal morphine (1.32-13.2 nmol) or the delta agonist SNC-80 tested against rats without TENS.")

#: SENZA-RCT, the during-use responder rates at 3 months.
SENZA_RCT = ("Kapural et al. 2015 Anesthesiology 123:851 [checked: abstract]: SENZA-RCT, 171 implanted patients with "
             "back and leg pain; at 3 months (secondary end point: the primary was back pain) >= 50 % less leg "
             "pain in 83.1 % with 10 kHz SCS and 55.5 % with traditional SCS (back pain 84.5 % and 43.8 %); leg "
             "pain stands for the model's neuropathic limb")
#: Gilmore et al. 2019: percutaneous PNS for post-amputation pain.
GILMORE_2019 = ("Gilmore et al. 2019 Reg Anesth Pain Med 44:637: >= 50 % pain reduction in 7/12 with PNS vs 2/14 "
                "placebo (weeks 1-4) [checked: abstract]")
#: Deer et al. 2017: ACCURATE, DRG stimulation against SCS.
DEER_2017 = ("Deer et al. 2017 Pain 158:669 [checked: abstract]: ACCURATE, 152 patients with complex regional pain "
             "syndrome or causalgia of the lower limbs; >= 50 % pain relief and treatment success at 3 months in "
             "81.2 % with DRG stimulation, 55.7 % with SCS")
#: What the cohort rows stand for.
COHORT_NOTE = ("patients drawn with the cohorts' distributions (the disinhibition calibrated to the prevalence of "
               "allodynia, painsim.validation.prevalence) stand for a trial's population, where the preset's "
               "circuits stand for one allodynic patient; ")
#: Maier et al. 2010: the prevalence of QST signs in neuropathic pain.
MAIER_2010 = ("Maier et al. 2010 Pain 150:439 [checked: abstract]: QST (DFNS protocol) of 1236 patients with "
              "neuropathic pain of every etiology: dynamic mechanical allodynia in 20 % (pinprick hyperalgesia 29 %, "
              "heat hyperalgesia 24 %); range: the Wilson 95 % interval of 247 of 1236 (the abstract's rounded 20 %)")
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

#: TENS at 4 Hz and at 100 Hz: equal effects (rats and healthy humans).
SLUKA_1999_FREQUENCIES = (
    "Sluka, Deacon, Stibal, Strissel & Terpstra 1999 JPET 289:840 [checked: abstract]: \"Either "
    "high- (100 Hz) or low-frequency (4 Hz) TENS produced approximately 100% inhibition of hyperalgesia\" "
    "(knee inflammation, heat withdrawal), the low-frequency effect blocked by low (mu-selective) doses of "
    "spinal naloxone; Sato et al. 2012 J Pain 13:884 [checked: abstract]: LF and HF TENS at the same "
    "intensity (90 % motor threshold) both reversed hyperalgesia; Liebano et al. 2011 Pain 152:335 "
    "[checked: abstract]: 4 Hz and 100 Hz TENS both raised pressure pain thresholds in healthy humans. "
    "Range chosen: both ~100 %, read as the low-frequency effect within +/- 50 % of the high-frequency one")

#: Repeated daily TENS loses its effect by the 4th-5th day.
TENS_TOLERANCE_SOURCES = (
    "Sato, Sanada, Rakel & Sluka 2012 J Pain 13:884 [checked: abstract]: daily TENS (20 min, 90 % motor "
    "threshold) reversed hyperalgesia on days 1-4, not on day 5 (tolerance); Liebano et al. 2011 Pain "
    "152:335 [checked: abstract]: in 100 healthy humans the TENS-induced rise of pressure pain thresholds "
    "no longer differed from placebo by day 5; Chandran & Sluka 2003 Pain 102:195 [checked: abstract]: "
    "\"a diminution in its effectiveness ... by the fourth day\", with cross-tolerance to spinal mu (low "
    "frequency) or delta (high frequency) agonists. Published 0: no effect beyond placebo")

#: The meta-TENS study: TENS against placebo over 91 RCTs.
JOHNSON_2022 = (
    "Johnson, Paley, Jones, Mulvey & Wittkopf 2022 BMJ Open 12:e051073 (meta-TENS) [checked: abstract]: RCTs of "
    "strong non-painful TENS at or close to the site of pain against placebo, adults with pain irrespective of "
    "diagnosis; pain intensity during or immediately after TENS lower than with placebo, SMD -0.96 (95 % CI "
    "-1.14 to -0.78; 91 RCTs, 92 samples, n = 4841); acute vs chronic pain and diagnosis did not modify the "
    "effect. Range: the 95 % CI of the pooled SMD (a spread of the mean, not of trials)")
#: What the virtual TENS trials assume.
TENS_TRIAL_NOTE = (
    "held out; each virtual patient (a circuit) is rated during the test stimulus with the device on and at no "
    "current, and g is computed from the two arms' means and SDs as for parallel groups "
    "(painsim.validation.trials); the meta-analysis found no effect of diagnosis, so one published figure for "
    "both populations")

#: The rTMS meta-analysis of the reference table: neuropathic pain, real against sham.
RTMS_META_2022 = (
    "Effects of repetitive transcranial magnetic stimulation on neuropathic pain: a systematic review and "
    "meta-analysis, Neurosci Biobehav Rev 2022 132:130 (PMID 34826512) [checked: abstract]: 38 randomized "
    "controlled studies of rTMS in neuropathic pain, real better than sham, random-effects effect size -0.66 "
    "(95 % CI -0.87 to -0.46); stimulation frequency, site and lesion location modified the effect. Range: the "
    "95 % CI of the pooled effect (a spread of the mean, not of trials)")
#: What the virtual rTMS trial assumes.
RTMS_TRIAL_NOTE = (
    "held out; 16 patients drawn as the rTMS cohort draws them (peripheral and central neuropathic pain; every "
    "drawn patient kept, those rating the test 0 or 10 included, where the trials enrolled patients with pain), "
    "each given the 5-session course and the sham course, g from the two arms' pain the day after the last "
    "session as for parallel groups (painsim.validation.trials.rtms_sham_smd); the abstract says 'effect size', "
    "not which standardised difference; the course's pain test (heat at the painful site) stands for the rated "
    "pain, and five daily 20 Hz M1 sessions for the pooled schedules, frequencies and sites (chosen); the model "
    "has no placebo response, so the sham arm is the untreated pain")

#: Ruscheweyh et al. 2010: suprathreshold cold pain from a contact thermode.
RUSCHEWEYH_2010 = ("Ruscheweyh, Stumpenhorst, Knecht & Marziniak 2010 J Pain 11:728 [checked: abstract]: 60-s "
                   "stimuli at ~3 °C from a contact thermode on the hands of 47 subjects rated 3.9 +/- 2 on 0-10 "
                   "(6.3 +/- 1.8 in the cold pressor test); range: +/- 1 SD, read as an SD: the abstract does not name the "
                   "statistic")
#: What the cold row measures and what its afferent input rests on.
COLD_NOTE = ("the model rates the first 1.5 s (as the heat rows; the C fibres adapt, so 60 s would rate lower); the "
             "cold input is the published human discharge of cold-sensitive CMHs (Campero et al. 1996: 40 % of them, "
             "0.4 Hz) and rat Adelta nociceptors (Simone & Kajander 1996); innocuous-cold fibres and their central "
             "inhibition of cold pain are not modelled (docs/stimuli.md, \"Contact cold\")")

#: Yarnitsky et al. 1992: single human C nociceptors during heat ramps of three rates.
YARNITSKY_1992 = ("Yarnitsky, Simone, Dotson, Cline & Ochoa 1992 J Physiol 450:581 [checked: abstract]: 10 C "
                  "nociceptors (foot, hand), ramps from 32 to 45 or 47 °C; mean discharge 1.22 +/- 0.13, 4.57 +/- 0.49 "
                  "and 13.45 +/- 0.71 impulses/s at 0.3, 2 and 6 °C/s, thresholds unchanged (41.5-41.9 °C); range: "
                  "+/- 1 SD if the +/- is the SEM of the 10 fibres (the statistic and how the mean was taken not read)")
#: The three ramp rows: (name suffix, rate in °C/s, published mean, low, high) in Hz.
RAMP_ROWS = (("0p3", 0.3, 1.22, 0.81, 1.63), ("2", 2.0, 4.57, 3.02, 6.12), ("6", 6.0, 13.45, 11.2, 15.7))
#: What the ramp rows test.
RAMP_NOTE = ("the encoding alone: each C fibre's static heat response passed through the filter of its step "
             "adaptation (plateau 0.3, 3 s: chosen from step records, Treede et al. 1995, not from ramps); "
             "docs/stimuli.md, \"Heat ramps\"")

#: The DFNS reference heat pain threshold (both heat-pain-threshold rows).
ROLKE_2006_HPT = ("Rolke et al. 2006 Pain 123:231, DFNS reference data ~43-45 °C, healthy spread ~41-47 °C [recalled; "
                  "the abstract, checked, gives 180 healthy subjects (face, hand, foot), women more sensitive than "
                  "men, and heat hypoalgesia hard to diagnose because the confidence limits lie near the cut-off, "
                  "but no threshold]")
#: Why both heat-pain-threshold rows are calibrated.
HPT_NOTE = ("the NRS map's zero point (readout.heat_rating_1_celsius = 43 °C: rated 0 at the STT rate of 43 °C) "
            "was placed just below this figure, so a threshold below ~43 °C is excluded by construction and what is "
            "held out is only how far above it the ratings cross 0.1 (marked calibrated 2026-12-06 after a review: "
            "a parameter was chosen from this figure)")

#: Sources and notes of the phenotype, gate and DNIC rows.
ENROLMENT = ("patients enter neuromodulation trials with ongoing pain of NRS/VAS ~6-8 /10 (e.g. SENZA-RCT, "
             "Kapural et al. 2015 Anesthesiology 123:851; the real-world rTMS cohort, Eur J Pain 2025;29:e4763) "
             "[recalled: range of baseline means, not one trial's spread; checked (abstracts): SENZA-RCT enrolled back "
              "and leg pain VAS >= 5/10 and SENZA-PDN lower-limb pain >= 5 cm (entry thresholds, not means); "
              "baselines 8.4 (back) and 5.4 (leg) in a 10 kHz SCS cohort (Al-Kaisy et al. 2014 Pain Med), 5.2 "
              "(permanent) and 8.6 (paroxysmal) in an rTMS cohort of facial pain (Hodaj et al. 2015)]")

SOTGIU = ("Sotgiu, Lacerenza & Marchettini 1992 Somatosens Mot Res 9:227 [checked: abstract]: spontaneous "
          "firing of identified WDR neurons in rats after chronic sciatic section or constriction by ligatures "
          "(anaesthesia and n not in the abstract).")

SCS_GEOMETRY = ("the dorsal-column geometry was chosen with the clinical paresthesia range of tonic SCS in view "
                "(afferents.biophysical.dorsal_column_image_factor = 2: A-beta thresholds 1.4-8 mA at 300 us vs "
                "clinical 1-5 mA; docs/fibers.md, which also checks it against Lempka et al. 2015: 10 kHz fires "
                "dorsal-column fibres only near or above the top of the clinical range)")

ANDREW = ("Andrew 2009 J Physiol 587:2005 [checked: abstract]: heat thresholds of nociceptive lamina I "
          "spinoparabrachial neurons in rats with a chronic constriction injury (CCI) of the sciatic nerve and in "
          "controls, P < 1e-4; the +/- are SDs (inferred: with SEMs of that size a 3.7 °C difference could not "
          "reach P < 1e-4); n and the threshold criterion were not read.  Ranges: 95 % t-intervals of the means "
          "(and of their difference) with 21 neurons per group, the fewest that give P < 1e-4 at these SDs "
          "(equal groups assumed; t = 4.44), i.e. the widest intervals the abstract allows.")
KELLER = ("Keller, Beggs, Salter & De Koninck 2007 Mol Pain 3:27, Fig. 2 [checked: legend]: responses of "
          "antidromically identified lamina I projection neurons to brush, touch and pinch in naive and "
          "nerve-injured rats (n not in the legend, so no range).  They classed cells by pinch and counted brush "
          "or touch as innocuous input; the model classes them by 52 °C heat and tests brush only.")
NEURON_NOTE = ("read per neuron as a recording would: a PN responds when it fires >= 5 spikes more in 1.5 s "
               "than at rest (the criterion of gate_share_decreased, fixed before these rows were measured); "
               "the model's PN are one class of WDR-like output neuron, the sources' lamina I neurons")

LE_BARS = ("Le Bars, Dickenson & Besson 1979 Pain 6:283 [checked: abstract]: 67 of 68 convergent (WDR) neurones "
           "of the lumbar dorsal horn of anaesthetized rats were powerfully inhibited by noxious stimuli (pinch, "
           "heat, transcutaneous electrical stimulation) applied to remote parts of the body, which depressed "
           "their responses to noxious radiant heat by 60-100 %; \"non-noxious stimuli were ineffective\"; "
           "the inhibition needs supraspinal structures (part II, Pain 6:305 [checked: summary])."
           )
TSSP = ("Staud, Craggs, Robinson, Perlstein & Price 2007 Pain 129:130 [checked: abstract]: repetitive heat "
        "pulses at 0.33 and 0.17 Hz (11 healthy volunteers, intensities set for moderate pain): robust temporal "
        "summation of second pain at 0.33 Hz but not at 0.17 Hz; Craig & Andrew 2002 J Neurophysiol 87:1902 "
        "[checked: abstract]: in 16 nociceptive lamina I spinothalamic neurons of cats (contacts of ~0.7 s at "
        "34-58 °C, 15 at ISIs of 2, 3 and 5 s) summation grew with temperature and fell with the ISI, most "
        "between the 3rd and 10th contacts.")
TSSP_NOTE = ("the spinal circuit's PN spikes, not ratings (as windup_0p1hz); each contact a 0.7-s step to 47 °C "
             "(painsim.fibers.heat_contacts: no nociceptor fatigue between contacts; contact k fires the same "
             "afferent spikes at every interval, so the two rows are paired); the carriers are those of wind-up "
             "(NK1, NMDA-gated CAN current), whose dorsal_horn.windup.tau_calcium was chosen (2026-11-29) with "
             "electrical wind-up at 0.1 vs 1 Hz in view (windup_0p1hz, calibrated), before these rows and Staud "
             "et al. 2007 joined the registry (2026-12-01): held out, but not independent of that calibration, "
             "which already placed the fading of summation between 0.1 and 1 Hz")


#: The mPNS trial in painful diabetic neuropathy: mean pain at a day of the course (``.format(change, day)``).
BROWN_2025 = ("Brown et al. 2025 (mean pain {} at {} days) [recalled; not found: the trial's 2024 abstract (Diabetes "
              "73 Suppl 1, 1802-LB; NCT05620225) gives no pain percentages, and no 2025 paper is in the reference store]")
