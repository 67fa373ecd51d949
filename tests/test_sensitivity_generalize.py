"""Rule cues on sentences written fresh for this test (not taken from the corpus), one family of red
flags at a time in English, Spanish, Vietnamese and Chinese: each family has positives (expected
category and urgency floor) and look-alikes that must not fire (negated, family history, routine
wording that shares a word with the red flag)."""

from __future__ import annotations

import pytest

from tools.intake.sensitivity import detect_sensitivity

E, U = "emergent", "urgent"
_RANK = {"routine": 0, "urgent": 1, "emergent": 2}

# (family, lang, text, category, minimum floor)
POSITIVE: list[tuple[str, str, str, str, str]] = [
    # 1. suicidal ideation: passive (at least urgent) and active with plan or means (emergent)
    ("suicide", "en", "Some nights I wish I could go to sleep and just not wake up.", "self_harm", U),
    ("suicide", "en", "honestly my kids would be better off if I wasnt around", "self_harm", U),
    ("suicide", "en", "I feel like everybody would be better off if I were gone.", "self_harm", U),
    ("suicide", "en", "I really don't want to be here anymore, there is no point in going on.", "self_harm", U),
    ("suicide", "en", "He wishes he was dead and says he wants to disappear for good.", "self_harm", U),
    ("suicide", "en", "Mom has been giving her jewelry away and saying goodbye to everyone.", "self_harm", U),
    ("suicide", "en", "I have a plan, I've been stockpiling my oxycodone and I'm going to take them tonight.", "self_harm", E),
    ("suicide", "en", "He bought a rope yesterday and told me he is going to hang himself.", "self_harm", E),
    ("suicide", "en", "Pt endorses SI with a plan to overdose.", "self_harm", E),
    ("suicide", "es", "A veces quisiera dormirme y ya no despertar nunca.", "self_harm", U),
    ("suicide", "es", "Mis hijos estarian mejor si yo no estuviera.", "self_harm", U),
    ("suicide", "es", "Ya no le encuentro sentido a seguir, no vale la pena vivir asi.", "self_harm", U),
    ("suicide", "es", "Mi papa esta regalando sus cosas y despidiendose de todos.", "self_harm", U),
    ("suicide", "es", "Ya tengo un plan, tengo guardadas las pastillas para tomarmelas todas esta noche.", "self_harm", E),
    ("suicide", "vi", "Tôi chỉ muốn ngủ một giấc rồi không bao giờ tỉnh dậy nữa.", "self_harm", U),
    ("suicide", "vi", "Không có tôi thì gia đình sẽ nhẹ nhàng hơn.", "self_harm", U),
    ("suicide", "vi", "Mẹ tôi đem cho hết đồ đạc và nói lời từ biệt với con cháu.", "self_harm", U),
    ("suicide", "vi", "Anh ấy đã mua thuốc trừ sâu và có kế hoạch tự tử tối nay.", "self_harm", E),
    ("suicide", "zh", "有时候真希望睡着了就再也不要醒来。", "self_harm", U),
    ("suicide", "zh", "没有我，家里人会过得更轻松。", "self_harm", U),
    ("suicide", "zh", "我爸把自己的东西都送人了，还写了遗书。", "self_harm", U),
    ("suicide", "zh", "她说已经买好了农药，打算今晚喝下去。", "self_harm", E),
    # 2. accidental ingestion and poisoning
    ("ingestion", "en", "My 2 year old got into grandma's purse and may have swallowed some of her heart pills.", "emergency_symptoms", E),
    ("ingestion", "en", "the toddler bit into a laundry detergent pod, he is coughing", "emergency_symptoms", E),
    ("ingestion", "en", "My son drank some bleach from under the sink.", "emergency_symptoms", E),
    ("ingestion", "en", "She swallowed two small magnets from her brother's toy set.", "emergency_symptoms", E),
    ("ingestion", "en", "I accidentally took my husband's blood pressure pills instead of mine this morning.", "emergency_symptoms", E),
    ("ingestion", "en", "The baby chewed on a pill he found on the floor and now he is very sleepy.", "emergency_symptoms", E),
    ("ingestion", "es", "Mi nino de 3 anos se tomo unas pastillas de su abuela.", "emergency_symptoms", E),
    ("ingestion", "es", "La bebe se trago un iman pequeno.", "emergency_symptoms", E),
    ("ingestion", "es", "Mi hija tomo cloro que estaba en una botella de agua.", "emergency_symptoms", E),
    ("ingestion", "es", "Me tome por error las pastillas de mi esposo.", "emergency_symptoms", E),
    ("ingestion", "vi", "Con tôi 2 tuổi nuốt phải viên pin cúc áo.", "emergency_symptoms", E),
    ("ingestion", "vi", "Bé uống nhầm thuốc huyết áp của bà.", "emergency_symptoms", E),
    ("ingestion", "vi", "Cháu uống phải nước tẩy bồn cầu.", "emergency_symptoms", E),
    ("ingestion", "zh", "我两岁的儿子误吞了一颗纽扣电池。", "emergency_symptoms", E),
    ("ingestion", "zh", "孩子误服了奶奶的降压药。", "emergency_symptoms", E),
    ("ingestion", "zh", "宝宝喝了几口漂白水。", "emergency_symptoms", E),
    # 3. anaphylaxis and angioedema
    ("anaphylaxis", "en", "After the shot her lips and tongue started to swell up.", "emergency_symptoms", E),
    ("anaphylaxis", "en", "hives all over his body and now he is having a hard time swallowing", "emergency_symptoms", E),
    ("anaphylaxis", "en", "Got stung by a bee and my face is puffing up and my throat feels tight.", "emergency_symptoms", E),
    ("anaphylaxis", "es", "Se me hincho la lengua y los labios despues de la pastilla.", "emergency_symptoms", E),
    ("anaphylaxis", "es", "Tiene ronchas por todo el cuerpo y no puede tragar.", "emergency_symptoms", E),
    ("anaphylaxis", "vi", "Sau khi uống thuốc, môi và lưỡi bị sưng lên.", "emergency_symptoms", E),
    ("anaphylaxis", "vi", "Bé nổi mề đay khắp người và khó thở.", "emergency_symptoms", E),
    ("anaphylaxis", "zh", "吃了虾以后嘴唇和舌头都肿起来了。", "emergency_symptoms", E),
    ("anaphylaxis", "zh", "被蜜蜂蛰了，全身起疹子，喉咙发紧。", "emergency_symptoms", E),
    # 4. stroke, heart attack, sepsis, bleeding, head injury, pregnancy, infant, DKA, opioid overdose
    ("acute", "en", "Since lunch he can't walk straight and suddenly lost vision in one eye.", "emergency_symptoms", E),
    ("acute", "en", "Fever with shaking chills and she is confused and mottled.", "emergency_symptoms", E),
    ("acute", "en", "Still bleeding from the biopsy site this morning and it will not stop.", "emergency_symptoms", E),
    ("acute", "en", "I'm 33 weeks and I haven't felt the baby move since last night.", "emergency_symptoms", E),
    ("acute", "en", "My 5 week old is not feeding and feels floppy.", "emergency_symptoms", E),
    ("acute", "en", "Sugar 480, throwing up, and his breath smells fruity.", "emergency_symptoms", E),
    ("acute", "en", "Found him snoring and we can't wake him, pinpoint pupils, we gave him Narcan.", "emergency_symptoms", E),
    ("acute", "es", "Sigue sangrando donde le sacaron la muela y no para.", "emergency_symptoms", E),
    ("acute", "es", "Lo encontramos sin respirar con los labios morados, le pusimos narcan.", "emergency_symptoms", E),
    ("acute", "es", "Fiebre con escalofrios fuertes y esta muy confundido.", "emergency_symptoms", E),
    ("acute", "vi", "Sốt cao rét run, người lơ mơ.", "emergency_symptoms", E),
    ("acute", "vi", "Nhổ răng xong chảy máu mãi không cầm.", "emergency_symptoms", E),
    ("acute", "vi", "Tôi có thai 32 tuần, từ sáng không thấy thai máy.", "emergency_symptoms", E),
    ("acute", "zh", "拔牙以后一直在流血，止不住。", "emergency_symptoms", E),
    ("acute", "zh", "他呼吸很慢，嘴唇发紫，瞳孔很小。", "emergency_symptoms", E),
    ("acute", "zh", "宝宝一个月大，不吃奶，没精神。", "emergency_symptoms", E),
    # 5. abnormal results as reports and patients word them
    ("result", "en", "Your chlamydia test came back positive.", "abnormal_result", U),
    ("result", "en", "Neisseria gonorrhoeae NAAT: DETECTED", "abnormal_result", U),
    ("result", "en", "RPR: Reactive, titer 1:16", "abnormal_result", U),
    ("result", "en", "Hepatitis B surface antigen: positive", "abnormal_result", U),
    ("result", "en", "QuantiFERON-TB Gold Plus result: Positive", "abnormal_result", U),
    ("result", "es", "La prueba de clamidia salio positiva.", "abnormal_result", U),
    ("result", "es", "Ecografia: higado graso y calculos en el rinon derecho.", "abnormal_result", U),
    ("result", "es", "VIH: reactivo. Se requiere prueba confirmatoria.", "abnormal_result", U),
    ("result", "es", "Se observa prostata agrandada.", "abnormal_result", U),
    ("result", "vi", "Kết quả siêu âm: gan nhiễm mỡ, sỏi thận trái.", "abnormal_result", U),
    ("result", "vi", "Xét nghiệm giang mai dương tính.", "abnormal_result", U),
    ("result", "vi", "Siêu âm tuyến giáp có nang thùy phải.", "abnormal_result", U),
    ("result", "zh", "B超提示：脂肪肝，胆囊结石。", "abnormal_result", U),
    ("result", "zh", "乙肝表面抗原阳性。", "abnormal_result", U),
    ("result", "zh", "甲状腺右叶囊肿，肝脏增大。", "abnormal_result", U),
    # 6. abuse and neglect disclosures
    ("abuse", "en", "My boyfriend grabbed me by the throat last night.", "abuse", U),
    ("abuse", "en", "He checks my phone every day and takes my paycheck.", "abuse", U),
    ("abuse", "en", "Grandma is left in soiled diapers and nobody feeds her.", "abuse", U),
    ("abuse", "es", "Mi esposo me agarro del cuello y me dijo que me iba a matar.", "abuse", U),
    ("abuse", "es", "Me revisa el celular y no me deja tener dinero.", "abuse", U),
    ("abuse", "es", "A mi mama la dejan sola todo el dia sin comer.", "abuse", U),
    ("abuse", "vi", "Chồng tôi giữ hết tiền và kiểm tra điện thoại của tôi.", "abuse", U),
    ("abuse", "vi", "Bà tôi bị bỏ đói cả ngày.", "abuse", U),
    ("abuse", "zh", "他控制我的钱，还天天查我手机。", "abuse", U),
    ("abuse", "zh", "老人一个人在家，没人给饭吃。", "abuse", U),
    # a child's age ("9 month old") is not the history marker "old"; a Latin letter after a Chinese cue
    ("ingestion", "en", "my 9 month old put a button battery in her mouth, not sure if she swallowed it", "emergency_symptoms", E),
    ("result", "zh", "肺部CT：右肺上叶结节8mm。", "abnormal_result", U),
    ("acute", "vi", "Tôi đang uống thuốc chống đông, té đập đầu.", "emergency_symptoms", E),
    ("acute", "zh", "我怀孕34周，头很痛，眼睛看东西模糊。", "emergency_symptoms", E),
    ("suicide", "es", "Estoy cansada de vivir.", "self_harm", U),
    ("suicide", "vi", "Tôi chán sống lắm rồi.", "self_harm", U),
    ("suicide", "zh", "我儿子说想去死。", "self_harm", U),
    ("ingestion", "vi", "Ông uống thuốc 2 lần vì quên.", "emergency_symptoms", E),
    ("acute", "en", "She's on Xarelto and her nose has been bleeding for an hour.", "emergency_symptoms", E),
    ("acute", "es", "Tengo 35 semanas y se me salio mucha agua.", "emergency_symptoms", E),
    ("acute", "zh", "宝宝两个月，发烧38度。", "emergency_symptoms", E),
    ("result", "es", "Me salio positivo el VIH en la prueba rapida.", "abnormal_result", U),
    ("abuse", "zh", "儿子把老人的退休金都拿走了。", "abuse", U),
]

# (family, lang, text, category that must not be found)
NEGATIVE: list[tuple[str, str, str, str]] = [
    ("suicide", "en", "Denies suicidal ideation, no thoughts of wanting to be dead.", "self_harm"),
    ("suicide", "en", "I'd like to give away my old crutches, can I drop them at the clinic?", "self_harm"),
    ("suicide", "en", "Dr. Lee is retiring and I wanted to say goodbye and thank her.", "self_harm"),
    ("suicide", "es", "Niega ideacion suicida.", "self_harm"),
    ("suicide", "es", "Quiero desaparecer estas manchas de la cara, que crema me recomienda?", "self_harm"),
    ("suicide", "vi", "Bệnh nhân phủ nhận ý định tự tử.", "self_harm"),
    ("suicide", "vi", "Tôi ngủ không ngon, hay tỉnh dậy lúc 3 giờ sáng.", "self_harm"),
    ("suicide", "zh", "否认自杀想法。", "self_harm"),
    ("suicide", "zh", "晚上睡不好，经常半夜醒来。", "self_harm"),
    ("ingestion", "en", "I need a new battery for my glucometer.", "emergency_symptoms"),
    ("ingestion", "en", "Can you recommend a weekly pills organizer for my mother?", "emergency_symptoms"),
    ("ingestion", "en", "We keep the medicine locked up because we have a toddler now.", "emergency_symptoms"),
    ("ingestion", "en", "She did not swallow anything, the battery was still in the remote.", "emergency_symptoms"),
    ("ingestion", "es", "Necesito pilas para el glucometro.", "emergency_symptoms"),
    ("ingestion", "es", "Busco un pastillero semanal para mi mama.", "emergency_symptoms"),
    ("ingestion", "vi", "Tôi cần mua pin cho máy đo đường huyết.", "emergency_symptoms"),
    ("ingestion", "vi", "Cho tôi hỏi mua hộp chia thuốc ở đâu.", "emergency_symptoms"),
    ("ingestion", "zh", "血糖仪需要换电池。", "emergency_symptoms"),
    ("ingestion", "zh", "想买个药盒分装一周的药。", "emergency_symptoms"),
    ("anaphylaxis", "en", "A few hives on her arm, no swelling of the lips or tongue, breathing fine.", "emergency_symptoms"),
    ("anaphylaxis", "en", "Family history: mother had anaphylaxis to penicillin.", "emergency_symptoms"),
    ("anaphylaxis", "es", "Niega hinchazon de labios o lengua.", "emergency_symptoms"),
    ("anaphylaxis", "vi", "Không sưng môi, không khó thở.", "emergency_symptoms"),
    ("anaphylaxis", "zh", "没有嘴唇肿，呼吸正常。", "emergency_symptoms"),
    ("acute", "en", "FHx: father had a heart attack at 60.", "emergency_symptoms"),
    ("acute", "en", "Please refill my Narcan kit, the old one expired.", "emergency_symptoms"),
    ("acute", "en", "History of stroke in 2019 with no new symptoms.", "emergency_symptoms"),
    ("acute", "es", "Necesito reponer mi kit de naloxona.", "emergency_symptoms"),
    ("acute", "vi", "Tiền sử đột quỵ năm 2018, hiện ổn định.", "emergency_symptoms"),
    ("acute", "zh", "既往脑梗病史，目前稳定。", "emergency_symptoms"),
    ("result", "en", "Chlamydia and gonorrhea NAAT: not detected.", "abnormal_result"),
    ("result", "en", "RPR non-reactive. HIV screen negative.", "abnormal_result"),
    ("result", "en", "Hepatitis B surface antigen negative.", "abnormal_result"),
    ("result", "es", "VIH no reactivo, negativo para clamidia.", "abnormal_result"),
    ("result", "es", "No se observan calculos ni quistes.", "abnormal_result"),
    ("result", "vi", "Siêu âm bụng bình thường, không thấy sỏi.", "abnormal_result"),
    ("result", "vi", "Xét nghiệm viêm gan B âm tính.", "abnormal_result"),
    ("result", "zh", "肝胆脾未见异常，未见结石。", "abnormal_result"),
    ("result", "zh", "乙肝表面抗原阴性。", "abnormal_result"),
    ("abuse", "en", "IPV screen: denies, feels safe at home.", "abuse"),
    ("abuse", "en", "My son hit his knee on the table at school.", "abuse"),
    ("abuse", "es", "Niega violencia domestica, se siente segura en casa.", "abuse"),
    ("abuse", "es", "Me golpee la rodilla con la mesa.", "abuse"),
    ("abuse", "vi", "Không bị bạo hành, cảm thấy an toàn ở nhà.", "abuse"),
    ("abuse", "zh", "否认家庭暴力，在家很安全。", "abuse"),
    ("abuse", "vi", "Tôi nhịn đói trước khi xét nghiệm máu được không?", "abuse"),
    ("ingestion", "en", "Can my 2 year old take children's Tylenol with his antibiotic?", "emergency_symptoms"),
    ("ingestion", "vi", "Con tôi 3 tuổi uống thuốc hạ sốt được không?", "emergency_symptoms"),
    ("ingestion", "zh", "宝宝吃了退烧药以后还能吃奶吗？", "emergency_symptoms"),
    ("acute", "en", "I can't wake him up for school in the morning, he is 15.", "emergency_symptoms"),
    ("result", "en", "Reactive lymph nodes, benign appearing.", "abnormal_result"),
    ("result", "en", "HBsAg neg, HBsAb pos (immune).", "abnormal_result"),
    ("result", "zh", "梅毒抗体阴性，HIV抗体阴性。", "abnormal_result"),
    ("acute", "en", "My 3 month old needs her vaccines, no fever.", "emergency_symptoms"),
    ("acute", "zh", "宝宝两个月大，今天打疫苗，没有发烧。", "emergency_symptoms"),
    ("ingestion", "zh", "降压药一天吃一次还是两次？", "emergency_symptoms"),
    ("suicide", "es", "Estoy cansada de esperar la cita.", "self_harm"),
    ("result", "en", "HBsAg: nonreactive   HIV 1/2 Ag/Ab: nonreactive   Hep C Ab: nonreactive", "abnormal_result"),
    ("acute", "en", "Please cancel the 12 week visit, I lost the baby last week and the bleeding has stopped.", "emergency_symptoms"),
]


def _cats(text: str) -> tuple[set[str], str]:
    r = detect_sensitivity(text)
    return {c.value for c in r.categories}, r.urgency_floor.value


@pytest.mark.parametrize(("family", "lang", "text", "category", "floor"), POSITIVE, ids=[f"{p[0]}-{p[1]}-{i}" for i, p in enumerate(POSITIVE)])
def test_red_flag_found(family: str, lang: str, text: str, category: str, floor: str) -> None:
    cats, got = _cats(text)
    assert category in cats, (text, cats)
    assert _RANK[got] >= _RANK[floor], (text, got)


@pytest.mark.parametrize(("family", "lang", "text", "category"), NEGATIVE, ids=[f"{n[0]}-{n[1]}-{i}" for i, n in enumerate(NEGATIVE)])
def test_look_alike_not_found(family: str, lang: str, text: str, category: str) -> None:
    cats, _ = _cats(text)
    assert category not in cats, (text, cats)


def test_every_family_and_language_has_both_kinds() -> None:
    for fam in {p[0] for p in POSITIVE}:
        for lang in ("en", "es", "vi", "zh"):
            assert any(p[0] == fam and p[1] == lang for p in POSITIVE), (fam, lang)
            assert any(n[0] == fam and n[1] == lang for n in NEGATIVE), (fam, lang)
