"""Research topics of the demo's applications (fluid biomarkers, symptoms and trials); see ``demo_texts``."""

NEUROFILAMENT = {
    "key": "neurofilament",
    "focus": ["outcome-measures-and-trial-design"],
    "keywords": [
        "neurofilament light chain",
        "serum biomarkers",
        "GFAP",
        "fluid biomarkers",
        "prognosis",
        "treatment response",
        "single-molecule array",
    ],
    "expertise": "Fluid biomarkers, laboratory medicine, longitudinal statistics",
    "fills": {
        "marker": [
            "serum neurofilament light chain",
            "serum glial fibrillary acidic protein",
            "a combination of neurofilament light chain and GFAP",
        ],
        "cohort": [
            "the Swiss MS Cohort",
            "a population-based Scandinavian MS registry",
            "three international progressive MS biobanks",
        ],
    },
    "titles": [
        "Blood biomarkers of progression: {marker} in progressive MS",
        "Can a blood test predict disability worsening? Validating {marker} in {cohort}",
        "Age- and body-mass-adjusted reference values for {marker} in progressive MS",
        "Neurofilament light chain as a response marker for phase II trials in progressive MS",
        "Combining blood and imaging biomarkers to detect smouldering disease",
    ],
    "lay": [
        "When nerve cells are damaged, they release tiny amounts of proteins into the blood.",
        "One of these proteins, called neurofilament light, can now be measured with a simple blood test.",
        "We want to find out whether {marker} can tell doctors and researchers how fast progressive MS is "
        "developing in each person.",
        "We will use blood samples and records that people with MS have already donated to {cohort}.",
        "A reliable blood test could help people and their doctors make treatment decisions and could show "
        "early whether a new medicine is working.",
        "Blood tests are cheaper and easier than brain scans, so they could be used in many more countries.",
    ],
    "background": [
        "Neurofilament light chain released from damaged axons can be measured in serum with "
        "single-molecule array assays and reflects ongoing neuroaxonal injury.",
        "Serum glial fibrillary acidic protein has been associated with progression independent of relapse "
        "activity, suggesting a marker of astrocytic activation.",
        "The interpretation of individual values of {marker} is limited by the influence of age, body mass "
        "index, kidney function and comorbidities.",
        "Fluid biomarkers could reduce the size and duration of phase II trials if their change reflects "
        "treatment effects on progression.",
    ],
    "aims": [
        "We will establish whether {marker} predicts confirmed disability progression and brain atrophy in "
        "people with progressive MS.",
        "Our aim is to derive reference values and thresholds that make {marker} interpretable for "
        "individual patients and trials.",
    ],
    "methods": [
        "Serum samples from {cohort} collected every six to twelve months will be analysed with "
        "single-molecule array assays in one central laboratory.",
        "Values will be converted to age- and body-mass-index-adjusted Z scores using a reference database "
        "of 10,000 healthy controls.",
        "Joint models will relate longitudinal biomarker trajectories to time to confirmed disability "
        "progression.",
        "Biomarker levels will be compared with brain and spinal cord atrophy measured on annual MRI.",
        "We will re-analyse stored samples from completed placebo-controlled trials to estimate treatment "
        "effects on {marker}.",
    ],
    "outcomes": [
        "We expect to provide thresholds of {marker} that identify people at high risk of progression.",
        "The results will show whether {marker} can serve as a primary outcome in phase II trials.",
    ],
}

REHABILITATION = {
    "key": "rehabilitation",
    "focus": ["symptom-management-and-rehabilitation"],
    "keywords": [
        "rehabilitation",
        "exercise",
        "mobility",
        "walking",
        "upper limb function",
        "physiotherapy",
        "telerehabilitation",
    ],
    "expertise": "Rehabilitation medicine, physiotherapy, exercise science",
    "fills": {
        "intervention": [
            "high-intensity interval training",
            "robot-assisted gait training",
            "home-based telerehabilitation",
            "task-oriented upper limb training",
            "aquatic exercise",
        ],
        "target": ["walking", "balance", "upper limb function", "mobility"],
    },
    "titles": [
        "{intervention} to improve {target} in people with progressive MS",
        "Exercise as medicine in progressive MS: a randomised trial of {intervention}",
        "Rehabilitation at home: {intervention} for people with advanced progressive MS",
        "Keeping people moving: a multicentre study of {intervention} in progressive MS",
        "Personalised rehabilitation for {target} in progressive MS using wearable sensors",
    ],
    "lay": [
        "Many people with progressive MS gradually find walking, balance or using their hands more "
        "difficult.",
        "Exercise and physiotherapy can help, but it is not clear which kind works best or how to keep the "
        "benefits going.",
        "We will test {intervention}, designed with people with MS, to see whether it improves {target}.",
        "Participants will be able to train at home or close to home, with support from a physiotherapist.",
        "Small wearable sensors will measure how much people move in daily life, not only in the clinic.",
        "If the programme works, it could be offered widely by health services at modest cost.",
        "Staying active also helps mood, sleep and independence, which people with MS tell us matter to "
        "them most.",
    ],
    "background": [
        "Rehabilitation is one of few interventions with demonstrated benefit on function in progressive "
        "MS, but evidence on dose, intensity and durability is limited.",
        "Walking impairment affects most people with progressive MS and is the disability they rate as "
        "most important to their quality of life.",
        "Exercise may have neuroprotective effects through neurotrophic factors and improved "
        "cardiorespiratory fitness.",
        "Access to specialist rehabilitation is unequal, and home-based approaches could reach people with "
        "more advanced disability.",
    ],
    "aims": [
        "We will test whether {intervention} improves {target} compared with usual care in people with "
        "progressive MS.",
        "A secondary aim is to identify who benefits most and how long improvements last after supervised "
        "training ends.",
    ],
    "methods": [
        "We will conduct a randomised controlled trial in 120 people with progressive MS and an Expanded "
        "Disability Status Scale score between 4.0 and 6.5.",
        "Participants will receive {intervention} three times a week for twelve weeks, followed by a "
        "self-managed maintenance phase.",
        "The primary outcome is the six-minute walk test at 12 weeks; secondary outcomes include the MS "
        "Walking Scale, balance and fatigue.",
        "Daily physical activity will be recorded with wrist- and ankle-worn accelerometers for one week "
        "at each assessment.",
        "A process evaluation with interviews will explore adherence, acceptability and barriers to "
        "participation.",
    ],
    "outcomes": [
        "We expect to show whether {intervention} leads to clinically meaningful gains in {target}.",
        "The trial will provide the effect sizes and implementation knowledge needed for a definitive "
        "multicentre trial.",
    ],
}

FATIGUE = {
    "key": "fatigue",
    "focus": ["symptom-management-and-rehabilitation"],
    "keywords": [
        "fatigue",
        "sleep",
        "cognitive behavioural therapy",
        "energy management",
        "digital health",
        "patient-reported outcomes",
    ],
    "expertise": "Health psychology, sleep medicine, digital health interventions",
    "fills": {
        "approach": [
            "a digital cognitive behavioural therapy programme",
            "an energy management course delivered online",
            "treatment of undiagnosed sleep disorders",
            "a combined exercise and sleep programme",
        ],
    },
    "titles": [
        "Tackling fatigue in progressive MS with {approach}",
        "Understanding and treating fatigue in progressive MS: a mechanistic and clinical study",
        "Fatigue, sleep and daily life: a randomised trial of {approach}",
        "Measuring fatigue in real time with smartphones in people with progressive MS",
    ],
    "lay": [
        "Fatigue is one of the most common and disabling symptoms of MS; many people describe it as an "
        "overwhelming tiredness that rest does not fix.",
        "Fatigue affects work, family life and social activities, yet there are few treatments that help.",
        "We will test {approach} to see whether it reduces fatigue in people with progressive MS.",
        "People will use a smartphone app to rate their energy levels several times a day.",
        "The programme was shaped by people with MS, who told us what would fit into their lives.",
        "If it works, the programme could be offered widely and at low cost, including to people who live "
        "far from an MS centre.",
    ],
    "background": [
        "Fatigue affects up to 80 percent of people with MS and is a leading cause of reduced employment "
        "and quality of life.",
        "Its mechanisms are multifactorial, involving inflammation, sleep disturbance, depression, "
        "deconditioning and altered cortical activity.",
        "Pharmacological treatments for MS fatigue have shown little benefit over placebo in recent trials.",
        "Cognitive behavioural and energy management approaches are effective in relapsing MS but have "
        "rarely been tested in progressive MS.",
    ],
    "aims": [
        "We will test whether {approach} reduces fatigue impact in people with progressive MS.",
        "We also aim to identify mechanisms of fatigue, including sleep quality and inflammatory markers, "
        "that predict response.",
    ],
    "methods": [
        "We will randomise 160 people with progressive MS and clinically significant fatigue to {approach} "
        "or to waiting-list control.",
        "The primary outcome is the Modified Fatigue Impact Scale at 16 weeks.",
        "Ecological momentary assessment by smartphone will capture within-day variation in fatigue, mood "
        "and activity.",
        "Home polysomnography in a subgroup will identify sleep apnoea, restless legs and insomnia.",
        "Cost-effectiveness will be estimated from health service use and quality-adjusted life years.",
    ],
    "outcomes": [
        "We expect to determine whether {approach} is an effective and scalable treatment for fatigue.",
        "The project will deliver a validated digital measure of fatigue suitable for future trials.",
    ],
}

COGNITION = {
    "key": "cognition",
    "focus": ["symptom-management-and-rehabilitation", "outcome-measures-and-trial-design"],
    "keywords": [
        "cognition",
        "processing speed",
        "cognitive rehabilitation",
        "Symbol Digit Modalities Test",
        "memory",
        "employment",
    ],
    "expertise": "Neuropsychology, cognitive neuroscience, clinical trials",
    "fills": {
        "approach": [
            "computerised cognitive training",
            "aerobic exercise combined with cognitive training",
            "a goal-directed cognitive rehabilitation programme",
        ],
        "tool": ["a tablet-based processing speed test", "a remote smartphone cognitive battery"],
    },
    "titles": [
        "Improving thinking and memory in progressive MS with {approach}",
        "Cognitive impairment in progressive MS: validating {tool} for trials",
        "Protecting cognition and employment in progressive MS",
        "Brain networks and cognitive decline in progressive MS",
    ],
    "lay": [
        "Many people with progressive MS have problems with thinking, such as slower processing, poor "
        "concentration or memory difficulties.",
        "These problems are often invisible but can make it hard to keep working or manage daily tasks.",
        "We will test {approach} to see whether it improves thinking speed and everyday functioning.",
        "We will also check whether {tool} can measure thinking reliably at home, without a clinic visit.",
        "Good measures of thinking are needed so that new medicines can be tested for effects on cognition.",
        "Our goal is to help people stay in work and keep their independence for longer.",
    ],
    "background": [
        "Cognitive impairment affects up to 70 percent of people with progressive MS, with information "
        "processing speed most commonly affected.",
        "The Symbol Digit Modalities Test is sensitive to change but requires trained staff and clinic "
        "visits, limiting its use in large trials.",
        "Cognitive rehabilitation has shown promise in relapsing MS, but progressive MS has been "
        "under-represented in trials.",
        "Cognitive decline relates to grey matter atrophy and disrupted brain network connectivity.",
    ],
    "aims": [
        "We will test whether {approach} improves processing speed in people with progressive MS.",
        "We aim to validate {tool} against standard neuropsychological assessment.",
    ],
    "methods": [
        "In a randomised controlled trial, 140 people with progressive MS and impaired processing speed "
        "will receive {approach} or an active control for 12 weeks.",
        "The primary outcome is change in the Symbol Digit Modalities Test; secondary outcomes include "
        "everyday functioning and employment status.",
        "Participants will complete {tool} weekly at home, allowing reliability and sensitivity to change "
        "to be estimated.",
        "Resting-state functional MRI will explore network changes associated with cognitive improvement.",
    ],
    "outcomes": [
        "We expect to establish whether {approach} provides lasting cognitive benefit.",
        "A validated remote cognitive outcome will make future trials cheaper and more inclusive.",
    ],
}

TRIAL_DESIGN = {
    "key": "trial_design",
    "focus": ["phase-ii-trial-strategies", "outcome-measures-and-trial-design"],
    "keywords": [
        "trial design",
        "outcome measures",
        "adaptive platform trial",
        "disability progression",
        "patient-reported outcomes",
        "composite endpoints",
        "PIRA",
    ],
    "expertise": "Clinical trial methodology, biostatistics, patient-reported outcomes",
    "fills": {
        "design": [
            "a multi-arm multi-stage platform trial",
            "a Bayesian adaptive phase II design",
            "an enrichment design using prognostic biomarkers",
        ],
        "endpoint": [
            "a composite disability endpoint",
            "progression independent of relapse activity",
            "a digital walking outcome",
        ],
    },
    "titles": [
        "Designing faster phase II trials in progressive MS with {design}",
        "Better outcome measures for progressive MS: validating {endpoint}",
        "What matters to people with progressive MS? Patient-centred outcomes for trials",
        "Simulating {design} to accelerate drug evaluation in progressive MS",
    ],
    "lay": [
        "Testing a new treatment for progressive MS usually needs several hundred people followed for two "
        "to three years.",
        "This makes trials slow and expensive, and many promising medicines are never tested.",
        "We will work out how to design smaller and faster trials, using {design}.",
        "We will also test new ways of measuring disability that reflect what matters most in daily life.",
        "People with MS are part of our team and will help choose the outcomes that are measured.",
        "Better trials mean that effective treatments can be found sooner and ineffective ones stopped "
        "early.",
    ],
    "background": [
        "Phase II trials in progressive MS are limited by insensitive outcome measures and slow "
        "accumulation of disability.",
        "The Expanded Disability Status Scale is weighted towards walking and has poor sensitivity to "
        "change in upper limb and cognitive function.",
        "Platform trials allow several treatments to be tested against a shared control arm and dropped "
        "early for futility.",
        "Progression independent of relapse activity accounts for most disability accrual and could "
        "define more homogeneous trial populations.",
    ],
    "aims": [
        "We will determine the operating characteristics of {design} for phase II trials in progressive MS.",
        "We aim to validate {endpoint} as a sensitive and meaningful trial outcome.",
    ],
    "methods": [
        "We will pool individual participant data from the placebo arms of twelve completed trials in "
        "progressive MS.",
        "Trial simulations will compare {design} with conventional two-arm designs for power, sample size "
        "and duration.",
        "The performance of {endpoint} will be compared with the Expanded Disability Status Scale for "
        "sensitivity to change and association with patient-reported outcomes.",
        "A Delphi consensus process with people with MS, clinicians and regulators will rank candidate "
        "outcomes.",
    ],
    "outcomes": [
        "We expect to deliver a ready-to-use protocol template for {design} in progressive MS.",
        "The project will provide evidence for regulators on {endpoint} as a trial outcome.",
    ],
}

CLINICAL_TOPICS = [NEUROFILAMENT, REHABILITATION, FATIGUE, COGNITION, TRIAL_DESIGN]
