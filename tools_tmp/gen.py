import json, pathlib
ROOT = pathlib.Path("/work/wt/learn/webapp/content")
D = "2026-11-30"
S = {
 "asam-p3": ("ASAM Benzodiazepine Tapering Patient Guide (2025), page 3: physical dependence", "https://eguideline.guidelinecentral.com/i/1539871/2", False),
 "asam-p4": ("ASAM Benzodiazepine Tapering Patient Guide (2025), page 4: effects on the brain", "https://eguideline.guidelinecentral.com/i/1539871/3", False),
 "asam-p11": ("ASAM Benzodiazepine Tapering Patient Guide (2025), page 11: how long tapering takes and managing withdrawal", "https://eguideline.guidelinecentral.com/i/1539871-benzodiazepine-tapering-patient-guide/10", False),
 "asam-p17": ("ASAM Benzodiazepine Tapering Patient Guide (2025), page 17: severe withdrawal and mental health concerns", "https://eguideline.guidelinecentral.com/i/1539871-benzodiazepine-tapering-patient-guide/16", False),
 "asam-p19": ("ASAM Benzodiazepine Tapering Patient Guide (2025), page 19: questions to ask your healthcare provider", "https://eguideline.guidelinecentral.com/i/1539871/18", False),
 "asam-p20": ("ASAM Benzodiazepine Tapering Patient Guide (2025), page 20: common questions", "https://eguideline.guidelinecentral.com/i/1539871-benzodiazepine-tapering-patient-guide/19", False),
 "guideline": ("Joint Clinical Practice Guideline on Benzodiazepine Tapering (2025), pocket guide key points", "https://eguideline.guidelinecentral.com/i/1532950-benzodiazepine-tapering/1", False),
 "fda": ("US FDA Drug Safety Communication, 23 September 2020: Boxed Warning updated for all benzodiazepines", "https://www.fda.gov/drugs/drug-safety-and-availability/fda-requiring-boxed-warning-updated-improve-safe-use-benzodiazepine-drug-class", False),
 "rr-carers": ("Recovery Road: For caregivers (written from lived experience)", "https://www.recovery-road.org/for-caregivers/", True),
 "rr-support": ("Recovery Road: How best to support (written from lived experience)", "https://www.recovery-road.org/how-best-to-support/", True),
 "rr-dos": ("Recovery Road: Dos and don'ts (written from lived experience)", "https://www.recovery-road.org/dos-and-donts/", True),
 "rr-info": ("Recovery Road: Relevant information on diet, stimulants and recovery (written from lived experience)", "https://www.recovery-road.org/relevant-information/", True),
 "bb-family": ("Beating Benzos: Friends, family and carers (written from lived experience)", "https://www.beatingbenzos.com/friends-families-carers", True),
 "uclh-cbti": ("University College London Hospitals NHS: Cognitive behavioural therapy for insomnia (CBTi)", "https://www.uclh.nhs.uk/patients-and-visitors/patient-information-pages/cognitive-behavioural-therapy-insomnia-cbti-rlhim", False),
 "nhs-tt": ("NHS England: NHS Talking Therapies, for anxiety and depression", "https://www.england.nhs.uk/mental-health/adults/nhs-talking-therapies/", False),
 "carers-breaks": ("Manchester City Council, Carers: Emotional wellbeing", "https://hsm.manchester.gov.uk/kb5/manchester/directory/advice.page?id=9rcWm74lRGs", False),
 "bic-forums": ("Benzodiazepine Information Coalition: Internet support forums for benzodiazepine withdrawal", "https://www.benzoinfo.com/2019/01/24/internet-support-forums-for-benzodiazepine-withdrawal-the-good-the-bad-and-the-ugly/", True),
}

def q(s):
    return json.dumps(s, ensure_ascii=False)

def page(folder, pid, order, title, summary, paras, exercises=()):
    used = []
    for p in paras:
        for c in p[1]:
            if c not in used:
                used.append(c)
    out = [f"id = {q(pid)}", f"title = {q(title)}", f"summary = {q(summary)}", f"order = {order}"]
    if exercises:
        out.append("exercises = [" + ", ".join(q(e) for e in exercises) + "]")
    out.append("")
    for p in paras:
        text, cites = p[0], p[1]
        heading = p[2] if len(p) > 2 else None
        out.append("[[paragraph]]")
        if heading:
            out.append(f"heading = {q(heading)}")
        out.append(f"text = {q(text)}")
        if cites:
            out.append("cites = [" + ", ".join(q(c) for c in cites) + "]")
        out.append("")
    for key in used:
        name, url, lived = S[key]
        out += ["[[source]]", f"key = {q(key)}", f"name = {q(name)}", f"url = {q(url)}", f"checked = {q(D)}"]
        if lived:
            out.append("lived_experience = true")
        out.append("")
    (ROOT / folder / f"{pid}.toml").write_text("\n".join(out), encoding="utf-8")

exec(open("/work/wt/learn/tools_tmp/articles.py", encoding="utf-8").read())
