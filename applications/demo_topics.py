"""Research topics of the demo's applications (laboratory and imaging side); see ``demo_texts``.

Each topic has its own vocabulary: the slots in braces are filled once per application from
``fills``, so one application talks about one target, one model and one readout throughout.
"""

REMYELINATION = {
    "key": "remyelination",
    "focus": ["experimental-models", "targets-and-repurposing"],
    "keywords": [
        "remyelination",
        "oligodendrocyte progenitor cells",
        "myelin repair",
        "oligodendrocyte differentiation",
        "chronic demyelinated lesions",
        "ageing",
        "iPSC-derived oligodendrocytes",
    ],
    "expertise": "Glial biology, myelin imaging, experimental demyelination models",
    "fills": {
        "target": [
            "the muscarinic M1 receptor",
            "retinoid X receptor gamma",
            "thyroid hormone receptor beta",
            "GPR17",
            "the kappa opioid receptor",
            "CXCR4 signalling",
        ],
        "model": [
            "the cuprizone model",
            "lysolecithin-induced spinal cord demyelination",
            "ex vivo cerebellar slice cultures",
            "zebrafish larvae with inducible demyelination",
        ],
        "readout": [
            "myelin water imaging",
            "visual evoked potential latency",
            "magnetisation transfer ratio",
        ],
    },
    "titles": [
        "Targeting {target} to drive myelin repair in chronic progressive MS lesions",
        "Why does remyelination fail with age? Rejuvenating oligodendrocyte progenitor cells",
        "A human iPSC platform to screen remyelinating compounds for progressive MS",
        "Measuring myelin repair: {readout} as an endpoint for remyelination trials",
        "Releasing the differentiation block of oligodendrocyte progenitors in progressive MS",
    ],
    "lay": [
        "Myelin is the protective coating around nerve fibres, and in MS the immune system strips it away.",
        "The brain can repair myelin by itself, but in progressive MS this repair slows down and often "
        "fails.",
        "Nerve fibres that stay without myelin for a long time become fragile and eventually die, which is "
        "one reason why disability keeps getting worse.",
        "We will test whether a medicine acting on {target} can wake up the cells that make new myelin.",
        "In the laboratory we will damage myelin on purpose and measure how well it grows back with and "
        "without treatment.",
        "If repair works, nerve signals should travel faster again, and this can be measured with a simple "
        "and painless test of vision.",
        "A treatment that restores myelin could protect nerves and help people keep the abilities they "
        "still have.",
        "People with progressive MS have told us that repairing damage matters to them as much as stopping "
        "new damage.",
    ],
    "background": [
        "Remyelination is the principal endogenous repair mechanism of the central nervous system, yet it "
        "becomes increasingly inefficient with age and disease duration in progressive MS.",
        "Chronic demyelinated lesions frequently contain oligodendrocyte progenitor cells that fail to "
        "differentiate, pointing to a block in differentiation rather than in recruitment.",
        "Axons that remain demyelinated are vulnerable to energy failure and degeneration, linking failed "
        "remyelination directly to accumulating disability.",
        "Recent work identified {target} as a regulator of oligodendrocyte differentiation, and its "
        "pharmacological modulation enhances myelin repair in rodents.",
    ],
    "aims": [
        "We hypothesise that modulating {target} overcomes the differentiation block of aged oligodendrocyte "
        "progenitor cells and restores remyelination in chronic lesions.",
        "Our aim is to establish whether pro-remyelinating treatment remains effective in an aged, "
        "chronically demyelinated environment.",
    ],
    "methods": [
        "We will use {model} to quantify oligodendrocyte differentiation and myelin sheath formation after "
        "treatment.",
        "Aged and young mice will be compared after focal demyelination, with lesions analysed at 7, 14 and "
        "28 days post lesion.",
        "Remyelination will be quantified by electron microscopy (g-ratio), myelin basic protein "
        "immunostaining and single-nucleus RNA sequencing of lesion tissue.",
        "Human iPSC-derived oligodendrocytes from people with progressive MS will be exposed to candidate "
        "compounds in a high-content imaging screen of myelin wrapping.",
        "Postmortem tissue from MS brain banks will be used to confirm the expression of {target} in chronic "
        "active and inactive lesions.",
        "A pilot cohort of 20 participants will undergo {readout} to estimate the effect size needed for a "
        "remyelination trial.",
    ],
    "outcomes": [
        "We expect to define whether {target} is a tractable remyelination target in the ageing central "
        "nervous system.",
        "The project will deliver a validated screening pipeline and a shortlist of compounds ready for an "
        "early-phase remyelination trial using {readout} as the primary outcome.",
    ],
}

NEUROPROTECTION = {
    "key": "neuroprotection",
    "focus": ["targets-and-repurposing", "experimental-models"],
    "keywords": [
        "neuroprotection",
        "axonal degeneration",
        "mitochondrial dysfunction",
        "oxidative stress",
        "energy failure",
        "neurodegeneration",
        "iron",
    ],
    "expertise": "Neurodegeneration, mitochondrial biology, axonal imaging",
    "fills": {
        "mechanism": [
            "mitochondrial energy failure",
            "iron-driven oxidative stress",
            "sodium accumulation in demyelinated axons",
            "impaired axonal transport",
            "glutamate excitotoxicity",
        ],
        "compound": ["a mitochondria-targeted antioxidant", "a SARM1 inhibitor", "a sodium channel blocker"],
        "model": [
            "chronic experimental autoimmune encephalomyelitis in aged mice",
            "human iPSC-derived cortical neurons",
            "the optic nerve crush model",
        ],
    },
    "titles": [
        "Protecting axons from {mechanism} in progressive MS",
        "Stopping neurodegeneration at its source: {mechanism} as a treatment target",
        "Preclinical evaluation of {compound} for neuroprotection in progressive MS",
        "Energy failure and axon loss: new neuroprotective strategies for progressive MS",
        "Keeping nerve fibres alive in smouldering MS: a neuroprotection study",
    ],
    "lay": [
        "In progressive MS, nerve fibres are lost slowly and steadily, and this loss is what causes lasting "
        "disability.",
        "Today's MS medicines calm the immune system but do little to protect the nerves themselves.",
        "Damaged nerve fibres run short of energy, a little like a battery that can no longer be recharged.",
        "We will study how {mechanism} harms nerve fibres and test {compound} that may shield them.",
        "We will use nerve cells grown from skin cells donated by people with MS, as well as laboratory "
        "models of the disease.",
        "A medicine that protects nerves could be added to existing treatments and slow down the loss of "
        "walking, hand function and vision.",
        "Our results will show whether this approach is ready to be tested in people with progressive MS.",
    ],
    "background": [
        "Neuroaxonal loss is the main substrate of irreversible disability in progressive MS and proceeds "
        "largely independently of relapses.",
        "Chronically demyelinated axons show {mechanism}, which precedes structural degeneration and offers "
        "a window for neuroprotective intervention.",
        "Anti-inflammatory therapies have limited efficacy in progressive MS, underlining the need for "
        "treatments that act directly on neurons and axons.",
        "Neuropathological studies show mitochondrial DNA deletions and complex IV deficiency in neurons "
        "within and around chronic lesions.",
    ],
    "aims": [
        "We hypothesise that counteracting {mechanism} preserves axonal integrity and function in models of "
        "progressive MS.",
        "The aim is to test {compound} as a neuroprotective agent and to define a biomarker of target "
        "engagement.",
    ],
    "methods": [
        "We will use {model} to measure axonal survival, axonal transport and mitochondrial membrane "
        "potential with and without treatment.",
        "Live imaging of axonal mitochondria will be combined with quantification of neurofilament light "
        "chain release into the culture medium.",
        "Treatment will start after disease onset to mirror the clinical situation of established "
        "progressive MS.",
        "Optical coherence tomography of the retinal nerve fibre layer will provide a translatable readout "
        "of neuroaxonal loss.",
        "Brain penetration and dose-response of {compound} will be established before efficacy studies.",
        "Findings will be validated in postmortem tissue from people with progressive MS, comparing lesion "
        "rims with normal-appearing white matter.",
    ],
    "outcomes": [
        "We expect to establish whether targeting {mechanism} is neuroprotective when started late in the "
        "disease course.",
        "The project will deliver preclinical efficacy data and a target-engagement biomarker needed to "
        "plan a phase II neuroprotection trial.",
    ],
}

MICROGLIA = {
    "key": "microglia",
    "focus": ["experimental-models", "targets-and-repurposing"],
    "keywords": [
        "microglia",
        "chronic active lesions",
        "smouldering inflammation",
        "paramagnetic rim lesions",
        "compartmentalised inflammation",
        "TSPO PET",
        "BTK inhibition",
    ],
    "expertise": "Neuroimmunology, microglial biology, PET imaging, single-cell transcriptomics",
    "fills": {
        "pathway": [
            "Bruton's tyrosine kinase signalling",
            "the TREM2 pathway",
            "the NLRP3 inflammasome",
            "complement C1q",
            "CSF1 receptor signalling",
        ],
        "method": [
            "single-nucleus RNA sequencing",
            "spatial transcriptomics",
            "TSPO PET imaging",
            "multiplexed imaging mass cytometry",
        ],
    },
    "titles": [
        "Switching off smouldering inflammation: targeting {pathway} in microglia at the lesion rim",
        "Microglial states at the edge of chronic active lesions in progressive MS",
        "Mapping iron-laden microglia in paramagnetic rim lesions with {method}",
        "Can we calm microglia to slow progression? {pathway} as a therapeutic target",
        "Compartmentalised inflammation behind a closed blood-brain barrier: the role of microglia",
    ],
    "lay": [
        "Microglia are the brain's own immune cells; they normally clean up damage and keep nerves healthy.",
        "In progressive MS, some microglia stay switched on for years around old areas of damage and keep "
        "harming the surrounding tissue.",
        "These slowly growing areas, sometimes called smouldering lesions, can now be seen on special MRI "
        "scans as a dark rim.",
        "We want to understand what keeps these microglia active and whether a medicine acting on {pathway} "
        "can calm them down.",
        "We will study donated brain tissue and brain cells grown in the laboratory, using {method}.",
        "Calming harmful microglia could slow the steady worsening that people with progressive MS "
        "experience even without relapses.",
        "Several medicines that act on microglia are already in development, so our results could be used "
        "quickly.",
    ],
    "background": [
        "Chronic active lesions with an iron-laden rim of activated microglia expand slowly and are "
        "associated with more aggressive disability progression.",
        "Inflammation in progressive MS becomes compartmentalised behind a relatively intact blood-brain "
        "barrier, where peripheral immunotherapies act poorly.",
        "Paramagnetic rim lesions on susceptibility-weighted MRI are an in vivo marker of this smouldering "
        "microglial activity.",
        "Microglia adopt distinct transcriptional states in the lesion rim, including a "
        "lipid-laden, iron-handling phenotype driven by {pathway}.",
    ],
    "aims": [
        "We hypothesise that {pathway} sustains the disease-associated microglial state at the lesion rim "
        "and that its inhibition halts lesion expansion.",
        "Our aim is to define microglial states in chronic active lesions and test whether they can be "
        "reversed pharmacologically.",
    ],
    "methods": [
        "Using {method}, we will profile microglia from the rim, core and periplaque white matter of "
        "chronic active lesions.",
        "Human iPSC-derived microglia will be exposed to myelin debris and iron to reproduce the rim "
        "phenotype in vitro.",
        "Pharmacological and genetic inhibition of {pathway} will be tested for effects on phagocytosis, "
        "cytokine release and neuronal toxicity.",
        "In a cohort of people with progressive MS, paramagnetic rim lesions will be followed on 3T "
        "susceptibility-weighted MRI for two years.",
        "Lesion expansion will be related to serum glial fibrillary acidic protein and neurofilament light "
        "chain levels.",
    ],
    "outcomes": [
        "We expect to identify the signals that maintain harmful microglial activation in chronic active "
        "lesions.",
        "The project will provide the rationale and imaging endpoints for a trial of microglia-directed "
        "therapy using rim lesion evolution as the outcome.",
    ],
}

MRI = {
    "key": "mri",
    "focus": ["outcome-measures-and-trial-design"],
    "keywords": [
        "MRI",
        "brain atrophy",
        "slowly expanding lesions",
        "paramagnetic rim lesions",
        "spinal cord imaging",
        "imaging biomarkers",
        "deep learning",
    ],
    "expertise": "Neuroimaging, MRI physics, image analysis, biostatistics",
    "fills": {
        "measure": [
            "slowly expanding lesions",
            "spinal cord atrophy",
            "thalamic volume loss",
            "cortical lesions on 7T MRI",
            "paramagnetic rim lesions",
        ],
        "cohort": [
            "three European trial cohorts",
            "a North American natural history cohort",
            "the placebo arms of completed phase III trials",
        ],
    },
    "titles": [
        "Measuring {measure} as an imaging outcome for phase II trials in progressive MS",
        "Automated detection of {measure} with deep learning on routine clinical MRI",
        "Harmonising MRI biomarkers of progression across scanners and centres",
        "Seeing smouldering disease: validating {measure} as a marker of progression",
        "Spinal cord and brain MRI to predict disability progression independent of relapses",
    ],
    "lay": [
        "MRI scans show areas of damage in the brain and spinal cord, but the usual measures miss much of "
        "what drives progressive MS.",
        "New ways of analysing scans can detect slow, hidden damage, such as areas of damage that grow "
        "very slowly over years.",
        "We will develop and test a computer method that measures {measure} automatically on scans that "
        "hospitals already take.",
        "We will use scans from {cohort}, so no one needs extra visits for this project.",
        "If these measures reflect how the disease progresses, clinical trials could find out much sooner "
        "whether a new medicine works.",
        "Shorter and smaller trials mean that promising treatments could reach people with progressive MS "
        "years earlier.",
    ],
    "background": [
        "Conventional MRI measures of new lesions capture relapse-associated activity but correlate poorly "
        "with progression independent of relapse activity.",
        "Phase II trials in progressive MS need imaging outcomes that are sensitive to change over 12 to 24 "
        "months and reflect neurodegeneration.",
        "Measures of {measure} have emerged as candidate markers of chronic, smouldering tissue damage, "
        "but their reproducibility across centres is unknown.",
        "Scanner and protocol differences limit the use of quantitative MRI measures in multicentre trials.",
    ],
    "aims": [
        "We will validate {measure} as a sensitive and reproducible outcome measure for phase II trials in "
        "progressive MS.",
        "Our aim is to estimate how much measures of {measure} change over two years and how strongly "
        "this predicts confirmed disability progression.",
    ],
    "methods": [
        "We will pool longitudinal MRI from {cohort}, comprising more than 2,000 people with primary or "
        "secondary progressive MS.",
        "A convolutional neural network will be trained on expert-labelled scans and tested on held-out "
        "data from unseen scanners.",
        "Scan-rescan reliability will be assessed in 30 participants scanned twice within two weeks on two "
        "different scanners.",
        "Mixed-effects models will relate change in {measure} to the Expanded Disability Status Scale, the "
        "timed 25-foot walk and the nine-hole peg test.",
        "Sample size calculations for two-arm phase II trials will be derived from the observed effect "
        "sizes and variance.",
        "Harmonisation methods will be compared to remove scanner effects while preserving biological "
        "signal.",
    ],
    "outcomes": [
        "We expect to deliver an open-source, validated pipeline for measuring {measure} on routine MRI.",
        "The results will give trialists the sample sizes needed when {measure} is used as the primary "
        "outcome of a phase II trial.",
    ],
}

REPURPOSING = {
    "key": "repurposing",
    "focus": ["targets-and-repurposing", "phase-ii-trial-strategies"],
    "keywords": [
        "drug repurposing",
        "approved drugs",
        "repurposed therapies",
        "metformin",
        "simvastatin",
        "pharmacoepidemiology",
        "drug screening",
    ],
    "expertise": "Clinical pharmacology, pharmacoepidemiology, neurology",
    "fills": {
        "drug": ["metformin", "simvastatin", "clemastine", "ibudilast", "lipoic acid", "high-dose biotin"],
        "source": [
            "national prescription registries",
            "a library of 1,600 approved drugs",
            "electronic health records from four countries",
        ],
    },
    "titles": [
        "Repurposing {drug} for progressive MS: from mechanism to trial readiness",
        "Old drugs, new tricks: systematic screening of approved medicines for progressive MS",
        "Does {drug} slow disability progression? Evidence from {source}",
        "A repurposing pipeline to prioritise approved drugs for phase II trials in progressive MS",
        "Combining {drug} with remyelinating therapy in progressive MS",
    ],
    "lay": [
        "Developing a new medicine from scratch takes well over ten years and is very expensive.",
        "Medicines that are already approved for other conditions have known safety records and could "
        "reach people with MS much faster.",
        "We will study whether {drug}, a medicine already used for other conditions, could slow down "
        "progressive MS.",
        "We will look at health records of people with MS who happened to take {drug} for another reason "
        "and compare how their MS changed.",
        "We will also test the medicine on nerve and brain cells in the laboratory to understand how it "
        "might help.",
        "If the results are promising, a clinical trial could start within a few years because the "
        "medicine is already available and affordable.",
    ],
    "background": [
        "Drug repurposing offers a faster and less costly route to treatments for progressive MS, building "
        "on established safety and pharmacokinetic data.",
        "{drug} has shown neuroprotective or pro-myelinating effects in experimental models, but evidence "
        "in people with MS remains limited.",
        "Earlier trials of repurposed drugs in progressive MS were often underpowered, and candidates were "
        "prioritised without systematic criteria.",
        "Large population registries make it possible to emulate target trials of repurposed drugs using "
        "real-world data.",
    ],
    "aims": [
        "We aim to determine whether {drug} modifies disability progression and to define a dose suitable "
        "for a phase II trial.",
        "We will build a transparent pipeline that ranks approved drugs by mechanism, brain penetration, "
        "safety and real-world evidence.",
    ],
    "methods": [
        "We will emulate a target trial using {source}, comparing people with progressive MS exposed and "
        "not exposed to {drug}.",
        "Propensity score weighting will account for age, disease duration, comorbidity and prior "
        "disease-modifying therapy.",
        "In parallel, {drug} will be tested in human iPSC-derived neurons and oligodendrocytes at clinically "
        "achievable concentrations.",
        "Candidate drugs will be scored against published criteria by an expert panel that includes people "
        "affected by MS.",
        "Cerebrospinal fluid concentrations will be measured in a small pharmacokinetic sub-study.",
    ],
    "outcomes": [
        "The project will provide real-world and mechanistic evidence on {drug} to support or rule out a "
        "phase II trial.",
        "We will publish a ranked, openly available list of repurposing candidates for progressive MS.",
    ],
}

LAB_TOPICS = [REMYELINATION, NEUROPROTECTION, MICROGLIA, MRI, REPURPOSING]
