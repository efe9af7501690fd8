"""Eight research topics with distinct vocabularies, so text affinity has an obvious right answer."""

TOPICS = {
    "myelin": (
        "Remyelination by oligodendrocyte precursor cells",
        "Oligodendrocyte precursor cells differentiate to repair myelin; we test remyelination drugs in "
        "demyelinated lesions and measure myelin sheath thickness.",
        "remyelination, oligodendrocyte, myelin repair",
    ),
    "gut": (
        "The gut microbiome and diet in MS",
        "Gut bacteria shape immune responses; we sequence the gut microbiome of patients on different diets "
        "and transfer faecal microbiota to mice.",
        "gut microbiome, bacteria, diet",
    ),
    "mri": (
        "Deep learning for MRI lesion segmentation",
        "Convolutional neural networks segment white matter lesions on MRI scans; we train deep learning "
        "models on multi-centre MRI imaging data.",
        "MRI, imaging, deep learning, segmentation",
    ),
    "bcell": (
        "B cell depletion with anti-CD20 antibodies",
        "Anti-CD20 antibodies deplete B cells; we study B cell repopulation and antibody levels after "
        "ocrelizumab infusions.",
        "B cells, antibodies, anti-CD20",
    ),
    "vitamin": (
        "Vitamin D, sunlight and the risk of MS",
        "A cohort study of vitamin D levels, sunlight exposure and latitude as risk factors; epidemiology "
        "of vitamin D supplementation.",
        "vitamin D, sunlight, epidemiology",
    ),
    "exercise": (
        "Exercise rehabilitation against fatigue",
        "A randomised trial of aerobic exercise and physiotherapy rehabilitation to reduce fatigue and "
        "improve walking.",
        "exercise, rehabilitation, fatigue",
    ),
    "ebv": (
        "Epstein-Barr virus infection as a trigger",
        "Epstein-Barr virus infection precedes MS; we measure viral antibodies and virus-specific T cells.",
        "Epstein-Barr virus, infection, viral",
    ),
    "cognition": (
        "Cognitive impairment and memory",
        "Neuropsychological tests of memory and processing speed; cognitive impairment and cognitive "
        "training.",
        "cognition, memory, neuropsychology",
    ),
}
