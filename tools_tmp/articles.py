L = "learn"
page(L, "what-is-happening", 1, "What is happening in my body",
 "Your brain got used to the medicine. Now it is slowly getting used to less.",
 [
  ("When you take a benzodiazepine every day, your brain adjusts to it. It turns down the parts of the brain the medicine works on.", ["asam-p4"]),
  ("This is called physical dependence. It can happen even when you take the medicine exactly as prescribed. Almost everyone who takes it regularly for more than a month has it.", ["asam-p3"]),
  ("Physical dependence is not addiction. They are different things.", ["asam-p3", "asam-p20"]),
  ("When the dose goes down quickly, those parts are still turned down. So you may feel withdrawal symptoms. These can include anxiety and poor sleep.", ["asam-p4"]),
  ("Going down slowly gives your brain time to adjust. That is why tapering is slow, and why stopping suddenly can be dangerous.", ["asam-p4", "fda"]),
  ("Some withdrawal symptoms can feel like the problem the medicine was first given for. Your healthcare provider can help you work out which is which.", ["asam-p4"]),
  ("Your body is not broken. It is adapting back. That takes time.", []),
 ], ("windows-and-waves", "name-it-to-tame-it"))

page(L, "windows-and-waves", 2, "Windows and waves",
 "Hard times and easier times can come and go. This is common.",
 [
  ("Many people who taper talk about being in a wave. A wave is a time when symptoms feel stronger. A time when they ease is often called a window.", ["bb-family"]),
  ("This is how people with lived experience describe it. It is not a medical term.", ["bb-family"]),
  ("The ASAM patient guide says that after a dose goes down, it may take up to a week for withdrawal symptoms to show.", ["asam-p11"]),
  ("So a wave can come some days after a change. It does not always come at once.", ["asam-p11"]),
  ("The guide also says symptoms may get stronger near the end of a taper.", ["asam-p11"]),
  ("Tell your healthcare provider about symptoms that feel like too much. Tell them straight away.", ["asam-p11"]),
  ("In a window, rest and do gentle things. You do not have to catch up on everything at once.", []),
  ("Steady's chart shows your windows and waves over time. It can help you and your prescriber see the pattern.", []),
 ], ("windows-and-waves", "ride-the-wave"))

page(L, "protracted-withdrawal", 3, "When it lasts a long time",
 "For some people, symptoms go on after the taper ends. This has a name.",
 [
  ("Tapering often takes months. For some people it takes a year or more.", ["asam-p3", "asam-p20"]),
  ("There is no set timeline. People respond differently. Some need to go slower than others.", ["asam-p11"]),
  ("For some people, withdrawal symptoms go on even after the taper is done. This is called protracted withdrawal.", ["asam-p11"]),
  ("The FDA's 2020 warning on every benzodiazepine names the risk of physical dependence and withdrawal reactions.", ["fda"]),
  ("If symptoms go on, tell your healthcare provider. They can help. It is not your fault.", ["asam-p11"]),
  ("People with lived experience say that, even when symptoms last a long time, withdrawal does not last forever. No one can promise when it ends. It is not the same for everyone.", ["rr-carers"]),
 ], ("windows-and-waves", "self-compassion-break"))

page(L, "a-wave-is-not-a-failure", 4, "A wave is not a failure",
 "A hard day, a hold or a slower pace is part of a taper, not a sign you did wrong.",
 [
  ("The ASAM patient guide says withdrawal symptoms, like poor sleep and anxiety, are a real concern when tapering. It says your healthcare provider can help.", ["asam-p3"]),
  ("A wave is not a sign that you have failed.", []),
  ("If symptoms are hard, your healthcare provider may suggest you pause the taper. That means staying at the same dose for a while.", ["asam-p20"]),
  ("They may suggest you slow down, with smaller changes less often. In rare cases they may suggest going back to the last dose for a time.", ["asam-p20"]),
  ("All of these are normal parts of tapering. They are decisions to make with your prescriber, never alone.", ["asam-p20"]),
  ("Do not stop your medicine suddenly, even on a bad day. Stopping suddenly can cause serious withdrawal, including seizures.", ["fda"]),
  ("Be as kind to yourself as you would be to a friend in a wave.", []),
 ], ("self-compassion-break", "just-this-minute"))

page(L, "sleep", 5, "Sleep during withdrawal",
 "Poor sleep is common in withdrawal. There are gentle things that help.",
 [
  ("The ASAM patient guide names poor sleep as one of the big concerns for people who taper.", ["asam-p3"]),
  ("There are treatments for sleep that are not medicines. The ASAM patient guide names therapy such as cognitive behavioural therapy (CBT) for insomnia.", ["asam-p20"]),
  ("CBT for insomnia is often called CBT-I or CBTi. It was made for sleep problems. It is different from CBT for other things.", ["uclh-cbti"]),
  ("An NHS hospital service says CBTi is recommended as the first treatment for insomnia in adults.", ["uclh-cbti"]),
  ("Caffeine can make it harder to settle. People with lived experience suggest having less, or having it only early in the day.", ["rr-info"]),
  ("Ask your prescriber or GP about CBT for insomnia. Find help in Steady lists some places to start.", ["uclh-cbti"]),
  ("If you cannot sleep, try a calm wind-down. Lying awake is not a failure. Rest still helps.", []),
 ], ("sleep-wind-down", "body-scan", "progressive-muscle-relaxation"))

page(L, "things-that-make-it-worse", 6, "Caffeine, alcohol and other things that can make it worse",
 "Some things can make symptoms stronger. Some can be dangerous with your medicine.",
 [
  ("Alcohol and benzodiazepines together can be dangerous. Together with opioids, alcohol or other sedatives, they can cause overdose or death.", ["fda", "guideline"]),
  ("If you took more than planned, or took it with alcohol or other sedatives, and now feel very drowsy, are hard to wake or are breathing slowly, call your emergency number now.", ["guideline"]),
  ("Caffeine is a stimulant. People with lived experience say it can make jumpiness and poor sleep worse.", ["rr-info"]),
  ("They suggest cutting down slowly if you drink a lot of coffee or tea, not all at once. Decaf still has a little caffeine.", ["rr-info"]),
  ("Some people find sugary food makes their symptoms stronger. This comes from lived experience, not studies.", ["rr-info"]),
  ("The ASAM patient guide lists medicine interactions as one of the risks of benzodiazepines. Tell your prescriber and pharmacist about everything you take.", ["asam-p19"]),
 ], ("urge-surfing", "feet-and-sips"))

page(L, "talking-with-your-prescriber", 7, "Talking with your prescriber",
 "You and your prescriber decide the plan together. Steady helps you say how it is going.",
 [
  ("Steady never tells you what dose to take. Only you and your prescriber decide that.", []),
  ("Check in with your healthcare provider after each dose change. Tell them about any symptoms you have.", ["asam-p20"]),
  ("If symptoms are hard, you can ask about holding, which means staying at the same dose for a while. You can also ask about slowing down.", ["asam-p20"]),
  ("In 2025, ASAM and other US medical groups published a guideline on tapering benzodiazepines. It says stopping suddenly, or cutting the dose fast, can cause serious withdrawal.", ["guideline"]),
  ("You can bring the ASAM patient guide to your appointment. It has a list of questions to ask.", ["asam-p19"]),
  ("Good questions include: is tapering right for me? What are my risks if I keep taking it? What other treatments could help?", ["asam-p19"]),
  ("Tapering can almost always be done without going to hospital.", ["asam-p19"]),
  ("Steady's summary for your prescriber puts your plan, doses and check-ins on one page. You can print it and take it with you.", []),
 ], ("name-it-to-tame-it", "box-breathing"))

page(L, "anxiety-depression-trauma", 8, "Anxiety, low mood and trauma",
 "These often come along with withdrawal. Help for them can make the taper easier.",
 [
  ("Withdrawal symptoms can include anxiety. They can feel like the anxiety the medicine was first for.", ["asam-p4"]),
  ("Talk with your healthcare provider if you have, or think you have, a mental health condition like depression or an anxiety disorder.", ["asam-p17"]),
  ("They may suggest starting treatment before the taper, or at the same time. This could be therapy like CBT, or other medicines.", ["asam-p17"]),
  ("Some people find meditation, yoga or support groups helpful while they taper.", ["asam-p17"]),
  ("In England, NHS Talking Therapies are free for adults with anxiety or depression. They also help with post-traumatic stress disorder (PTSD).", ["nhs-tt"]),
  ("Thoughts of suicide can be part of severe withdrawal. If you have them, get help now. Use Help now.", ["asam-p17"]),
 ], ("thought-record", "worry-time", "safe-place"))

page(L, "support-network", 9, "Building and keeping your support network",
 "People who understand make a real difference. Your network can change over time.",
 [
  ("People who have been through withdrawal often say the best support came from others who understood it.", ["bb-family"]),
  ("Some friends may not understand at first. Some may become quiet. Others may surprise you with their care.", ["bb-family"]),
  ("Many people find online forums a lifeline. A doctor who tapered wrote that forum members helped her feel believed and less alone.", ["bic-forums"]),
  ("The same doctor warns that forums can also hold wrong information. Check anything about doses with your prescriber.", ["bic-forums"]),
  ("The ASAM patient guide names support groups as something people find helpful.", ["asam-p17"]),
  ("It helps to look at your support network now and then. Who helped? Who did not? Is there a kind of support you are missing?", []),
  ("Steady's My people offers a short review of your support network every 90 days.", []),
  ("Find help in Steady lists peer groups and services. You can add them to My people with one tap.", []),
 ], ("one-small-thing", "self-compassion-break"))

page(L, "looking-after-yourself", 10, "Looking after yourself",
 "Small, gentle things count. You do not have to do them all.",
 [
  ("Be patient with yourself. Tapering often takes months.", ["asam-p3"]),
  ("Some people find meditation or yoga helpful during a taper.", ["asam-p17"]),
  ("Gentle movement, like a slow walk, can help. Only do what feels OK today.", []),
  ("Let people help with practical things, like shopping or meals. People with lived experience say this eases the load.", ["rr-dos"]),
  ("Avoid alcohol. With benzodiazepines it can be dangerous.", ["fda"]),
  ("Keep your check-ins. They help you and your prescriber see how you are over time.", []),
  ("If a symptom frightens you, or feels like too much, tell your healthcare provider. They can help.", ["asam-p11"]),
 ], ("mindful-walking", "self-compassion-break", "one-small-thing"))

P = "supporting"
page(P, "what-is-happening", 1, "What is happening to them",
 "Their brain got used to a medicine. Now it is slowly adapting back.",
 [
  ("Someone you care about is tapering off a benzodiazepine, or living with withdrawal. Thank you for wanting to understand.", []),
  ("When a benzodiazepine is taken every day, the brain adjusts to it. When the dose goes down, the brain needs time to adjust back. Until it does, the person can have withdrawal symptoms.", ["asam-p4"]),
  ("This is called physical dependence. It happens to almost everyone who takes the medicine regularly for more than a month, even exactly as prescribed.", ["asam-p3"]),
  ("Physical dependence is not addiction. Please do not treat it as if it were.", ["asam-p3", "asam-p20"]),
  ("Symptoms can include anxiety and poor sleep, and many others. They are real, even when you cannot see them.", ["asam-p4", "rr-support"]),
  ("The person should not stop suddenly. Stopping suddenly or cutting too fast can cause serious withdrawal, including seizures.", ["fda"]),
 ], ("windows-and-waves",))

page(P, "windows-and-waves", 2, "Windows and waves",
 "Good days and hard days can come and go. A hard day does not mean it is going wrong.",
 [
  ("People who taper often talk about being in a wave: a time when symptoms are stronger. An easier time is often called a window.", ["bb-family"]),
  ("This comes from people's lived experience. It is not a medical term.", ["bb-family"]),
  ("After a dose goes down, it can take up to a week for symptoms to show. So a wave can come days after a change.", ["asam-p11"]),
  ("Symptoms can get stronger near the end of a taper.", ["asam-p11"]),
  ("A wave may mean the person cancels plans at the last minute. People with lived experience say the friends who understand this are worth their weight in gold.", ["bb-family"]),
 ], ())

page(P, "why-it-can-last-months", 3, "Why it can last months",
 "Tapering is slow on purpose. For some people, symptoms last after it ends.",
 [
  ("Tapering often takes months. For some people it takes a year or more. There is no set timeline.", ["asam-p3", "asam-p20"]),
  ("Going slowly gives the brain time to adjust.", ["asam-p4"]),
  ("For some people, symptoms go on after the taper is done. This is called protracted withdrawal.", ["asam-p11"]),
  ("Support is needed for the whole road, not only at the start. People with lived experience say that even when symptoms last, withdrawal does not last forever.", ["rr-carers"]),
 ], ())

page(P, "what-helps", 4, "What helps",
 "Believe them. Listen. Help with practical things. Be patient.",
 [
  ("Believe them. The symptoms are real, even if they sound strange. Withhold judgement.", ["rr-support", "rr-carers"], "Believe them"),
  ("Listen without judging. Let them cry, be angry or be quiet if they need to.", ["rr-dos"], "Listen"),
  ("If they would rather not talk about withdrawal, respect that.", ["rr-dos"]),
  ("Help with practical things: shopping, meals, the garden, looking after children or pets.", ["rr-dos"], "Practical help"),
  ("Be patient. This can take a long time. Remind them, as often as they need, that withdrawal does not last forever.", ["rr-carers", "rr-dos"], "Patience"),
  ("Keep visits short and predictable. Say at the start how long you can stay. People with lived experience say this helps the person relax and not feel like a burden.", ["rr-dos"], "Short, predictable visits"),
  ("Learn about withdrawal. Reading this guide is a good start.", ["rr-support"]),
 ], ())

page(P, "what-not-to-do", 5, "What not to do",
 "Some well-meant things can make it harder.",
 [
  ("Do not push them to go faster. The pace is for them and their prescriber to decide. Going slowly is safer.", ["rr-support", "asam-p4"]),
  ("Do not suggest they stop suddenly. Stopping suddenly can cause serious withdrawal, including seizures.", ["fda"]),
  ("Do not suggest speeding up, slowing down or going back on the medicine. Leave dose decisions to them and their prescriber.", ["rr-support", "asam-p20"]),
  ("Do not doubt their symptoms or tell them it is all in their head. Many people are not believed, and that hurts.", ["rr-support", "bb-family"]),
  ("Do not call it addiction. Physical dependence is not the same thing.", ["asam-p3"]),
 ], ())

page(P, "red-flags", 6, "Red flags and what to do",
 "Some things need urgent help. Here is exactly what to do.",
 [
  ("Call your emergency number now if the person has a seizure (a fit).", ["fda", "asam-p17"], "Call your emergency number now if"),
  ("Call now if they are seeing or hearing things that are not there, or seem very confused.", ["asam-p17"]),
  ("Call now if they took more than planned, or took it with alcohol, opioids or other sedatives, and are very drowsy, hard to wake or breathing slowly.", ["guideline", "fda"]),
  ("If they talk about suicide or harming themselves, get help now. Stay with them if you can. Call your emergency number or a crisis line.", ["asam-p17"], "Thoughts of suicide"),
  ("Help now in Steady lists the emergency number and crisis lines for your country. It works without an account and offline.", []),
  ("For symptoms that are not urgent but feel like too much, they should tell their healthcare provider straight away.", ["asam-p11"], "Not urgent, but hard"),
 ], ())

page(P, "looking-after-yourself", 7, "Looking after yourself",
 "Supporting someone for a long time is tiring. Your needs matter too.",
 [
  ("Watching someone you love go through withdrawal can be upsetting. It takes patience and stamina.", ["rr-carers"]),
  ("It is important that you look after yourself too.", ["rr-carers"]),
  ("Taking regular breaks, and doing something you enjoy, can help your own health. It can also help the care you give.", ["carers-breaks"]),
  ("Feeling worn out from caring is sometimes called compassion fatigue. It is not a sign that you do not care.", []),
  ("You do not have to do it all alone. Share the load with other people in their circle.", []),
  ("If you are struggling, talk to your own doctor or someone you trust.", []),
 ], ())

page(P, "the-circle-light", 8, "What the circle light means",
 "The light shows how they said they are today. It is not an alarm.",
 [
  ("If the person shares it with you, Steady shows a light from their own latest check-in today.", []),
  ("It comes only from two scores they gave: how they are overall, and their anxiety.", []),
  ("Green means \"doing OK\". Amber means \"a harder day\". Red means \"a very hard day\".", []),
  ("\"No check-in today\" is not a warning. Many people do not check in every day. Nothing is wrong because of it.", []),
  ("The light never shows their notes, their symptoms or their answers to the safety questions. Those answers never change the light.", []),
  ("So a green light does not mean they are safe, and a red light does not mean an emergency. If you are worried, get in touch with them.", []),
  ("If you see any red flag yourself, act on what you see, not on the light. Call your emergency number.", ["asam-p17"]),
 ], ())
