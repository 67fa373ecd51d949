"""Vietnamese and Chinese cue lexicons for the clinical categories of DESIGN.md, and their context
triggers (negation, history, family history); read by tools.intake.sensitivity.

Written from clinical knowledge of how patients, families and clinicians write these languages (lay
and medical terms, red flags of telephone triage), not from the project's corpus. Patterns are
regular expressions on the sensitivity matching view:
- Vietnamese is matched *without diacritics* (folded: "đau ngực" → "dau nguc", "đ" → "d"), because
  portal messages are often typed without them; every pattern is therefore written folded, and
  single syllables that collide with English or Spanish words once folded ("not", "con", "la") are
  only used inside longer phrases.
- Chinese is matched on Simplified characters (Traditional text is converted with OpenCC first),
  without word boundaries (Chinese has none).
"""

from __future__ import annotations

# (category, floor, history_suppresses, patterns). Floors: E emergent, U urgent, R routine.
VI: list[tuple[str, str, bool, list[str]]] = [
    ("emergency_symptoms", "E", True, [
        r"(?:te|nga|bi nga)[^.]{0,60}(?:dap|dung|va) (?:dau|dau vao)[^.]{0,80}(?:non|oi|lu lan|lo mo|ngu li bi|khong tinh)", r"(?:kho|khong) (?:goi|danh thuc) (?:day|tinh)",
        r"(?:te|nga)[^\n]{0,80}(?:dap|dung|va|cham) (?:\w+ ){0,2}dau[^\n]{0,240}(?:oi|non|lu lan|lon xon|lo mo|ngu li bi|warfarin|loang mau|eliquis|xarelto)",
        r"noi (?:chuyen )?lon xon", r"tho (?:rat |qua |hoi )?(?:nhanh|gap|cham|yeu|kho)", r"(?:moi|mat|da|nguoi) (?:\w+ ){0,2}(?:tim tai|tim|xanh tai)", r"bung phap phong", r"(?:em be|thai) (?:\w+ )?(?:khong|it|khong con) (?:dap|cu dong|dong)", r"vo oi (?:roi|som)", r"(?:ro|chay) nuoc oi", r"cung co",
        r"(?:dom|cham|ban) (?:mau )?(?:tim|do)(?: khap)?", r"ceton", r"nhiem (?:toan|ceton)", r"(?:lu lan|lo mo|me man)", r"huyet ap (?:\w+ ){0,3}(?:rat |qua )?(?:thap|cao)",
        r"(?:choang|chong mat)[^.]{0,40}(?:chay mau|ra mau)", r"(?:chay mau|ra mau)[^.]{0,40}(?:choang|chong mat|xiu)", r"thai ngoai tu cung", r"tien san giat", r"san giat",
        r"(?:khong|ko) (?:chiu )?(?:bu|an|uong)[^.]{0,40}(?:sot|tuan tuoi|ngay tuoi)", r"(?:moi|mat|da|nguoi) (?:\w+ )?(?:tim tai|tim|xanh tai)",
        # chest pain / pressure, heart attack
        r"dau (?:that |tuc |nhoi )?(?:o )?nguc", r"tuc nguc", r"nang nguc", r"(?:ep|bop|de) (?:chat )?nguc", r"nguc (?:bi )?(?:dau|tuc|that|ep|nang)",
        r"dau that nguc", r"nhoi mau co tim", r"(?:len )?con dau tim", r"dau tim (?:cap|nang)", r"ngung tim", r"tim ngung dap",
        # breathing
        r"kho tho", r"khong (?:the )?tho (?:duoc|noi)", r"tho khong (?:duoc|noi|ra hoi)", r"ngop tho", r"nghet tho", r"hut hoi", r"tho hon hen",
        r"tho doc", r"ngat tho", r"khong thay tho", r"tim tai", r"(?:moi|mat|da|mong tay) (?:bi )?(?:tim|tai xanh|xanh tim)",
        # stroke
        r"meo mieng", r"mieng (?:bi )?meo", r"xe mat", r"mat (?:bi )?meo", r"lech mieng", r"noi ngong", r"noi (?:khong|ko) ro(?: chu| loi)?",
        r"noi lap bap", r"noi dot ngot kho", r"(?:liet|yeu|te) nua nguoi", r"nua nguoi (?:ben )?(?:trai|phai)? ?(?:bi )?(?:liet|yeu|te)",
        r"(?:tay|chan|canh tay) (?:ben )?(?:trai|phai)? ?(?:bi )?(?:yeu|liet|te) (?:dot ngot|tu nhien|hoan toan)", r"dot quy",
        r"tai bien(?: mach mau nao)?", r"trung gio", r"dot ngot (?:yeu|te|mat|khong)",
        # consciousness, seizure
        r"ngat(?: xiu)?", r"xiu (?:di|xuong)", r"bat tinh", r"hon me", r"mat y thuc", r"khong (?:con )?tinh(?: tao)?", r"goi khong (?:tinh|day|tra loi)",
        r"co giat", r"len con (?:co giat|dong kinh)",
        # bleeding
        r"chay mau (?:khong (?:cam|ngung|ngot|dung)|nhieu|du doi|lien tuc)", r"ra mau (?:nhieu|khong ngung|tung cuc|cuc)", r"bang huyet",
        r"(?:oi|non|mua) ra mau", r"ho ra mau", r"(?:di cau|di ngoai|phan) (?:ra )?(?:mau|den)", r"phan (?:mau )?den", r"xuat huyet",
        r"tham (?:uot|het) (?:\w+ )?bang ve sinh",
        # allergy, airway
        r"soc phan ve", r"phan ve", r"sung (?:hong|hong hong|luoi|moi)", r"(?:hong|co hong|luoi|moi) (?:bi )?sung", r"di ung nang", r"nghen hong",
        # pain, head, fever in infants, other red flags
        r"dau dau (?:du doi|kinh khung|nhu bua bo|nhat tu truoc|chua tung)", r"dau (?:bung |dau |nguc )?(?:du doi|du doi qua|khung khiep|chiu khong noi)",
        r"(?:be|con|chau) (?:\w+ ){0,3}\d+ (?:ngay|tuan) tuoi (?:\w+ ){0,6}sot", r"so sinh (?:\w+ ){0,4}sot", r"sot (?:cao )?(?:\w+ ){0,4}so sinh",
        r"(?:va|do|toat) mo hoi (?:lanh|hot)", r"mo hoi lanh", r"lu lan (?:dot ngot|nang)", r"mat thi luc dot ngot", r"mu dot ngot",
        r"goi 911", r"cap cuu ngay", r"te (?:canh )?tay (?:trai|ben trai)",
    ]),
    ("self_harm", "E", False, [
        r"(?:ngu|nam) (?:luon |mai )?(?:ma )?(?:khong|chang) (?:\w+ )?(?:day|thuc day|tinh day)(?: nua)?", r"song (?:cung |nua )?(?:khong|chang) (?:de |biet )?(?:lam gi|ich gi)",
        r"(?:khong|ko) (?:muon|can) (?:thuc|tinh) day", r"(?:khong|ko) (?:chiu|chiu dung) (?:noi|duoc) nua", r"(?:tich|gom|de danh) (?:\w+ ){0,2}thuoc", r"tu (?:cat|rach|lam dau)",
        r"ke hoach an toan", r"(?:uong|nuot) (?:\w+ ){0,3}\d+ vien (?:\w+ ){0,2}(?:thuoc ngu|thuoc an than)", r"song (?:de )?lam gi(?: nua)?", r"(?:muon|se|tinh) di theo (?:ong|ba|chong|vo|bo|me|cha)", r"uong het (?:mot lan|mot luc|cung luc|mot luot)",
        r"(?:giau|cat giau|de danh|tich tru) (?:\w+ ){0,4}(?:thuoc|vien)",
        r"tu tu", r"tu sat", r"muon chet", r"(?:khong|chang) (?:con )?muon song(?: nua)?", r"chet (?:cho|di cho) (?:xong|roi)", r"ket lieu",
        r"ket thuc (?:cuoc doi|cuoc song|tat ca|moi thu)", r"tu lam hai ban than", r"tu hai", r"lam hai (?:ban )?than minh", r"tu gay thuong tich",
        r"(?:rach|cat|cua) (?:co )?tay", r"uong (?:\w+ ){0,3}qua lieu", r"qua lieu", r"uong (?:het |ca )(?:vi|lo|hop|chai|nam) (?:thuoc)?",
        r"(?:nhay|lao) (?:cau|lau|xuong song)", r"treo co", r"song (?:khong|chang) (?:con )?(?:y nghia|ich gi)", r"khong con ly do (?:de )?song",
        r"(?:la|thanh) ganh nang", r"bien mat (?:mai mai|khoi)", r"thu (?:de )?lai (?:cho|cua) (?:gia dinh|moi nguoi)", r"tam biet (?:moi nguoi|tat ca)",
        r"y dinh tu", r"y nghi (?:tu tu|muon chet|tu sat|tu hai)", r"nghi (?:den|toi) (?:chuyen )?(?:chet|tu tu)",
    ]),
    ("abuse", "U", False, [
        r"(?:chong|vo|ban trai|con trai|con gai|con|thang|dua|nguoi cham soc|nguoi giup viec|di|ong|ba|bo duong|cha duong|chu|bac)[^.]{0,50}(?<![a-z])(?:danh|xo|dap|tat|bop co|dam) (?:toi|em|chau|be|con|ba|me|bac|ong|chi|no|vo|vao)",
        r"(?:vet|bi|con|nhieu) bam|bam (?:tim|den|xanh)|bam (?:o|tren|khap) (?:\w+ )?(?:tay|lung|mat|chan|nguoi|co)", r"(?:nguoi|no|ong ta|ba ta|anh ta|chi ta|ong ay|ba ay|thang|con) (?:\w+ ){0,2}danh (?:ong|ba|con|chau|em|toi|khi|luc|moi)", r"(?:giu|lay|cam|xai het) (?:\w+ ){0,2}tien (?:\w+ ){0,2}(?:cua )?(?:toi|em|ba|ong|me|bo|bac)", r"lenh (?:cam|bao ve|giam sat)", r"vawa",
        r"(?:vao|vo|den) phong (?:\w+ ){0,3}(?:ban dem|buoi toi|dem)", r"(?:rinh|so mo|so soang|cham vao) (?:nguoi|\w+ )?(?:\w+ )?(?:em|chau|be|con)", r"bo (?:mac|be|doi an)",
        r"(?:dau hieu|nghi) (?:bi )?(?:bo mac|nguoc dai|danh|bao hanh)", r"loet (?:do )?nam (?:lau|liet)", r"(?:khong|chua) (?:duoc )?(?:cho an|tam rua|ve sinh)",
        r"(?:bi|su|nan) bao hanh|bao hanh (?:gia dinh|tinh duc|tinh than|tre em|nguoi gia|than the)", r"bao luc gia dinh", r"(?:bi )?danh dap", r"(?:chong|vo|ban trai|bo|me|con|cha) (?:\w+ ){0,2}danh (?:toi|em|chau|be|con|ba|me|bac)",
        r"bi (?:\w+ ){0,2}danh", r"xam hai(?: tinh duc)?", r"hiep dam", r"quay roi tinh duc", r"so ve nha", r"(?:khong|ko) an toan (?:o|khi o|tai) nha",
        r"nguoc dai", r"bo (?:mac|be)", r"de doa (?:giet|danh|toi|em)?", r"doa (?:giet|danh)", r"(?:lay|giu|chiem|xai) (?:het )?tien (?:cua )?(?:toi|em|ba|ong|me|bo)",
        r"bam tim", r"vet (?:bam|thuong) (?:tren|khap)", r"so (?:chong|vo|ban trai|nguoi cham soc)", r"bop co", r"(?:khong|ko) cho (?:toi|em|ba|me) (?:ra ngoai|gap|di)",
        r"vung kin",
    ]),
    ("pregnancy", "R", False, [
        r"thai nhi", r"(?:sieu am|kham) (?:\w+ ){0,3}thai", r"(?:em be|thai) (?:\w+ )?(?:dap|dap it|khong dap|cu dong|it dong)", r"nha (?:ho sinh|bao sanh)", r"ba do",
        r"co thai", r"mang thai", r"co bau", r"(?:bau|thai) (?:duoc )?\d+ (?:tuan|thang)", r"\d+ tuan thai", r"tuoi thai", r"thai ky", r"thai phu",
        r"tre kinh", r"(?:chua|khong) (?:co|thay|den) kinh", r"mat kinh", r"que thu (?:thai )?(?:\w+ ){0,3}(?:2|hai) vach", r"thu thai (?:\w+ ){0,2}duong tinh",
        r"sau sinh(?! nhat)", r"moi sinh (?:em be|be|con)", r"cho con bu", r"say thai", r"pha thai", r"pha bo thai", r"kham thai", r"du sinh", r"ngay sinh du kien",
        r"om nghen", r"thai ngoai tu cung", r"san phu", r"hau san", r"sinh non", r"tien san giat",
    ]),
    ("controlled_substance", "R", False, [
        r"thuoc (?:giam dau )?gay nghien", r"thuoc phien", r"ma tuy", r"thuoc an than", r"thuoc (?:kiem soat|quan ly) dac biet", r"moocphin",
        r"thuoc ngu (?:\w+ ){0,2}(?:xanax|ambien|ativan|klonopin|valium)",
    ]),
    ("abnormal_result", "U", True, [
        r"bat thuong", r"(?:khoi|cuc|not) u", r"u buou", r"ung thu", r"di can", r"nghi ngo (?:ac tinh|ung thu|u)", r"ac tinh", r"(?:can|nen) sinh thiet",
        r"sinh thiet", r"ton thuong", r"gay xuong", r"nut xuong", r"ket qua (?:\w+ ){0,4}(?:cao|thap|xau|khong tot|bat thuong)",
        r"(?:chi so|muc) (?:\w+ ){0,3}(?:cao|thap) (?:hon|qua)", r"(?:cao|thap) hon (?:muc )?binh thuong", r"vuot (?:qua )?muc", r"(?:to|hien|bao) mau do", r"chu do",
        r"duong tinh",
    ]),
    ("critical_result", "E", True, [
        r"(?:phong |noi |ben )?xet nghiem (?:vua |da )?(?:goi|dien|bao)", r"(?:bao|noi|dan) (?:\w+ ){0,4}(?:di|vao|toi) (?:phong )?cap cuu", r"(?:rat|qua) (?:thap|cao)",
        r"gia tri (?:nguy hiem|bao dong|khan cap|toi han)", r"muc (?:nguy hiem|bao dong)", r"ket qua (?:\w+ ){0,3}(?:nguy hiem|khan cap)",
    ]),
]

ZH: list[tuple[str, str, bool, list[str]]] = [
    ("emergency_symptoms", "E", True, [
        r"剧痛", r"最痛", r"含含糊糊", r"(?:口角|嘴角|嘴巴?|脸)(?:\w{0,3})(?:歪|斜)", r"(?:左|右)(?:手|脚|腿|边|侧)(?:\w{0,2})(?:没力|无力|没有力|不能动|发麻|麻木)",
        r"(?:头|脑袋|后脑勺|脑)(?:\w{0,4})(?:撞|磕|碰|摔)|(?:撞|磕|碰|摔)(?:\w{0,10})(?:头|脑袋|后脑勺)", r"流(?:了)?(?:很多|好多|大量)(?:的)?血", r"血块",
        r"叫(?:\w{0,4})(?:好几次|几次)(?:才)?(?:睁眼|醒)", r"(?:一直|不停)(?:地)?(?:吐|呕吐)", r"重影", r"复视", r"(?:很|非常)难叫醒", r"叫不(?:太)?醒", r"呼吸(?:很)?(?:慢|浅|快)", r"(?:摔|跌)(?:倒|了)(?:\w{0,20})(?:头|脑袋)(?:\w{0,40})(?:呕吐|吐|糊涂|迷糊|嗜睡|叫不醒|意识)",
        r"(?:头|脑袋)(?:\w{0,3})(?:撞|磕|碰)(?:\w{0,40})(?:呕吐|吐了|糊涂|迷糊|嗜睡|叫不醒|意识)", r"(?:胎动|宝宝)(?:\w{0,3})(?:减少|少了|不动|没动|很少)", r"破水", r"羊水破",
        r"(?:脖子|颈部)(?:发)?(?:硬|僵)", r"紫(?:色)?(?:斑|点)", r"酮症", r"酮体", r"(?:意识|神志)(?:模糊|不清)", r"(?:很|非常|特别)(?:糊涂|迷糊)", r"血压(?:\w{0,4})(?:很低|很高|太高)",
        r"(?:流|出)血(?:\w{0,6})(?:头晕|晕)", r"宫外孕", r"先兆子痫", r"子痫",
        r"胸(?:口|部|前)?(?:剧?痛|疼|闷|压|紧|绞痛|憋)", r"心口(?:痛|疼|闷)", r"心绞痛", r"压榨(?:样|性)", r"心(?:肌)?梗", r"心脏病(?:发作|又犯)", r"心跳(?:骤)?停",
        r"呼吸(?:困难|急促|不畅|费力|不过来|不上来)", r"喘不(?:过|上)气", r"透不过气", r"上不来气", r"憋气", r"气(?:短|促|喘吁吁)", r"无法呼吸", r"不能呼吸",
        r"(?:嘴唇|脸|面色|指甲)(?:发)?(?:紫|青|乌)",
        r"中风", r"脑卒中", r"脑梗", r"脑出血", r"(?:口角|嘴巴?|脸)(?:歪|斜|歪斜)", r"口眼歪斜", r"(?:说话|讲话|口齿|言语)(?:不清|含糊|困难|不利索)", r"大舌头",
        r"半身(?:不遂|麻木|无力)", r"(?:一侧|单侧|半边|左边|右边|左侧|右侧)(?:身体|手脚|肢体)?(?:无力|麻木|没力气|不能动)", r"突然(?:手|脚|腿|胳膊|手臂)(?:\w{0,2})(?:无力|麻木|不能动)",
        r"晕倒", r"昏倒", r"晕厥", r"昏厥", r"昏迷", r"(?:失去|没有)(?:了)?意识", r"意识(?:不清|模糊|丧失)", r"叫不醒", r"不省人事", r"没有反应", r"倒地",
        r"抽搐", r"抽风", r"惊厥", r"癫痫发作", r"羊角风",
        r"大出血", r"出血不止", r"流血不止", r"血流不止", r"止不住(?:血)?", r"血止不住", r"(?:吐|呕|咳|咯)(?:了)?(?:很多)?血", r"黑便", r"柏油(?:样)?便", r"便血",
        r"(?:阴道|下身)(?:大量)?出血", r"(?:湿透|浸透)(?:了)?(?:\w{0,6})?(?:卫生巾|护垫)",
        r"过敏性休克", r"休克", r"(?:喉咙|喉头|嗓子|舌头|嘴唇)(?:水)?肿", r"喉头水肿", r"严重过敏",
        r"(?:剧烈|剧)(?:的)?(?:头痛|头疼|腹痛|肚子痛|疼痛)", r"头痛欲裂", r"(?:这辈子|一生中?|从来没有过的)(?:最)?(?:严重|厉害)的头(?:痛|疼)", r"痛得(?:受不了|打滚|要命)",
        r"(?:出|冒)(?:冷汗|虚汗)", r"大汗(?:淋漓)?", r"(?:手臂|胳膊|左臂|左手)(?:发)?麻",
        r"(?:新生儿|婴儿|宝宝|孩子)(?:\w{0,8})(?:发烧|发热)", r"(?:\d+|[一二三两四五六七八九十几])(?:天|周|个?月)大的?(?:\w{0,8})(?:发烧|发热)",
        r"突然(?:看不见|失明|视力)", r"叫救护车", r"打911",
    ]),
    ("self_harm", "E", False, [
        r"撑不(?:下去|住了)", r"(?:唔|不)想(?:再)?(?:活|生存)", r"活落去", r"(?:药|藥|安眠药|止痛药)(?:\w{0,12})(?:食晒|吃光|全部吃|一次过食|一次吃)", r"(?:食晒|吃光)(?:\w{0,3})(?:药|佢)", r"熬不下去", r"活着(?:真|都|也|还)?(?:没|没有)(?:什么)?(?:意思|意义)", r"想(?:从\w{0,4})?跳(?:下去|楼|河)?", r"(?:全部|都|一起)吃(?:掉|了|下去)",
        r"我死了(?:\w{0,12})?(?:好|好过|算了)", r"不如死了", r"死了算了", r"做傻事", r"不想(?:再)?醒(?:来|过来)?", r"(?:攒|存|囤)(?:了)?(?:\w{0,4})?药", r"安全计划",
        r"自杀", r"轻生", r"寻死", r"想死", r"不想活", r"活不下去", r"活着(?:没|没有)(?:意思|意义)", r"结束(?:自己的)?生命", r"了结(?:自己|生命)", r"一了百了",
        r"自残", r"自伤", r"伤害自己", r"割腕", r"(?:服|吃)(?:了)?(?:\w{0,4})?(?:药)?过量", r"过量服药", r"(?:吃|吞)(?:了)?(?:一整|整)(?:瓶|盒)",
        r"(?:吃|吞)(?:了)?(?:很多|好多|一把|大量)(?:的)?(?:\w{0,4})?(?:药|片)", r"跳楼", r"跳河", r"上吊", r"(?:是|成了)(?:家人的|大家的)?(?:负担|拖累)",
        r"遗书", r"(?:跟|向)(?:大家|家人|所有人)(?:告别|道别)", r"消失(?:算了|掉)", r"不想醒来",
    ]),
    ("abuse", "U", False, [
        r"(?:丈夫|老公|男友|男朋友|儿子|女儿|护工|保姆|继父|他|她)(?:\w{0,12})(?:打|推|踢|掐|揍)(?:我|她|他|了)", r"保护令", r"限制令", r"禁制令", r"褥疮", r"压疮",
        r"(?:照顾|护理)(?:不周|不当)", r"没人(?:管|照顾)", r"(?:拿|抢|扣|控制)(?:走|着)?(?:了)?(?:\w{0,4})?(?:钱|工资|退休金|补助)", r"动手", r"暴力",
        r"(?:把|将)(?:我|她|他)(?:\w{0,6})(?:推|打|踢|锁|关)", r"打死(?:我|你|她|他)", r"锁(?:上|在|起来)", r"不给(?:我|她|他)(?:饭|吃|药|钱)", r"没(?:有)?饭吃", r"老不死",
        r"家暴", r"家庭暴力", r"(?:打|揍|踢|掐)(?:我|她|他|孩子|老人)", r"被(?:\w{0,3})?(?:打|揍|踢|掐)", r"殴打", r"虐待", r"性侵", r"性骚扰", r"强奸",
        r"猥亵", r"不敢回家", r"(?:在家|家里)(?:不安全|很危险)", r"威胁(?:要)?(?:杀|打)?", r"掐(?:脖子|住脖子)", r"(?:疏于|没人)照顾", r"忽视", r"遗弃",
        r"(?:拿走|控制|抢走|扣着?)(?:我|她|他)?的?(?:钱|工资|退休金|证件)", r"(?:淤青|瘀青|瘀伤|淤伤|青一块紫一块)", r"(?:害怕|怕)(?:我)?(?:丈夫|老公|男朋友|妻子|老婆|伴侣|继父|照顾者)",
        r"不让(?:我|她|他)(?:出门|见人|工作)", r"乱摸", r"摸(?:我|她|他)的?(?:私处|下体)",
    ]),
    ("pregnancy", "R", False, [
        r"(?:\d+|[一二三四五六七八九十]+)(?:周|个月)(?:大)?的?(?:身孕|孕)", r"b超(?:\w{0,4})胎", r"大排畸", r"唐筛", r"糖耐", r"助产", r"月子",
        r"怀孕", r"妊娠", r"怀上了", r"有了身孕", r"有(?:了)?宝宝", r"孕(?:\d+|[一二三四五六七八九十]+)(?:周|个?月)", r"孕周", r"孕妇", r"孕期", r"早孕", r"孕吐",
        r"(?:月经|例假|大姨妈)(?:推迟|没来|晚了|迟了)", r"停经", r"验孕", r"两条(?:杠|线)", r"预产期", r"产检", r"产后", r"坐月子", r"哺乳", r"母乳喂养",
        r"喂奶", r"流产", r"小产", r"宫外孕", r"胎(?:儿|动|心|盘)", r"羊水", r"先兆子痫", r"妊娠期糖尿病", r"早产", r"胎停", r"(?:孩子|宝宝|胎儿)没(?:了|保住)",
    ]),
    ("controlled_substance", "R", False, [
        r"吗啡", r"羟考酮", r"氢可酮", r"氢吗啡酮", r"芬太尼", r"美沙酮", r"丁丙诺啡", r"可待因", r"曲马多", r"他喷他多", r"哌替啶", r"杜冷丁",
        r"阿普唑仑", r"劳拉西泮", r"氯硝西泮", r"地西泮", r"安定片", r"艾司唑仑", r"三唑仑", r"咪达唑仑", r"唑吡坦", r"思诺思", r"佐匹克隆", r"扎来普隆",
        r"哌甲酯", r"利他林", r"专注达", r"安非他明", r"苯丙胺", r"右旋苯丙胺", r"赖右苯丙胺", r"阿得拉", r"莫达非尼", r"普瑞巴林", r"乐瑞卡", r"苯巴比妥",
        r"巴比妥", r"睾酮", r"睾丸素", r"氯胺酮", r"卡立普多", r"芬特明", r"大麻", r"鸦片", r"阿片(?:类)?", r"麻醉(?:药品|性止痛药|止痛药)", r"管制(?:药品|药物|类药)",
        r"受管制", r"苯二氮(?:卓|䓬)", r"精神(?:类)?药品", r"镇静(?:剂|药)",
    ]),
    ("abnormal_result", "U", True, [
        r"异常", r"偏高", r"偏低", r"升高", r"超标", r"结节", r"肿块", r"肿瘤", r"占位", r"恶性", r"癌", r"转移", r"可疑", r"(?:建议|需要|需)(?:做)?(?:穿刺)?活检",
        r"活检", r"骨折", r"病变", r"阳性", r"不正常", r"(?:标|显示)(?:成)?红(?:色)?", r"(?:高|低)于(?:正常|参考)", r"超出(?:正常|参考)(?:范围|值)",
    ]),
    ("critical_result", "E", True, [
        r"(?:化验室|检验科|实验室|化验所|检验所|诊所|医院)(?:\w{0,4})?(?:打(?:来)?(?:了)?电话|来电)", r"(?:叫|让|要)(?:我|她|他|我们)(?:马上|立刻|赶快)?(?:去)?(?:急诊|医院)", r"(?:非常|很|特别|太)(?:低|高)",
        r"危急值", r"危急", r"危险值", r"紧急(?:通知|报告|结果)", r"临界值",
    ]),
]

# Second layer (issue 10c), from C-SSRS wording, poison-centre and triage phone protocols and patient
# leaflets in each language, as flexible patterns: passive ideation ("không có tôi thì...", "再也不要醒来"),
# means (pesticide, charcoal, rope), giving things away and farewells; a child's or an adult's accidental
# ingestion; anaphylaxis in any order; bleeding that will not stop, obstetric and infant danger signs,
# DKA breath, opioid overdose; imaging findings (fatty liver, stones, cysts, enlarged organs); control of
# money and phone, starvation and neglect.
VI += [
    ("self_harm", "E", False, [
        r"(?:ngu|nham mat) (?:\w+ ){0,4}(?:khong|chang) (?:bao gio |con |can |muon )?(?:\w+ )?(?:tinh|thuc) (?:day|lai)", r"khong bao gio (?:tinh|thuc) (?:day|lai)",
        r"(?:khong co|thieu|vang) (?:toi|em|minh|con|me|bo|ba)[^.]{0,40}(?:tot hon|nhe nhang hon|nhe ganh|do kho|sung suong hon|thanh than|de tho hon|vui hon)",
        r"(?:neu|khi) (?:toi|em|minh) (?:khong con|chet|di roi|mat di|bien mat|khong con nua)[^.]{0,30}(?:tot hon|nhe nhang|do kho|nhe ganh|thanh than)",
        r"(?:dem |mang )?(?:cho|tang) het (?:\w+ ){0,2}(?:do dac|tai san|do dung|ky vat|trang suc)", r"(?:noi )?loi tu biet", r"thu tuyet menh",
        r"tu biet (?:moi nguoi|gia dinh|con chau|vo con|tat ca)", r"(?:tro tan|an bai) hau su",
        r"(?:mua|uong|giau|tich|cat|chuan bi) (?:\w+ ){0,3}(?:thuoc tru sau|thuoc diet chuot|thuoc chuot|day thung|than (?:cui|hoa) (?:de )?dot)",
        r"ke hoach (?:\w+ ){0,3}(?:tu tu|chet|ket thuc|tu sat)", r"chan song", r"met moi (?:vi|khi) (?:phai )?song", r"song (?:qua |that )?met moi", r"thu de lai (?:cho|cua) (?:cac con|vo|chong|gia dinh|moi nguoi|bo me)", r"(?:muon|chi muon) (?:\w+ )?(?:bien mat|chet quach|chet di)(?: cho (?:xong|roi))?",
    ]),
    ("emergency_symptoms", "E", True, [
        # ingestion and poisoning
        r"nuot (?:phai |nham |mat )?(?:\w+ ){0,3}(?:vien pin|pin cuc|pin nut|pin|nam cham|dong xu)",
        r"(?:uong|an|nuot|ngam|liem|cam) (?:phai|nham|lon|mat) (?:\w+ ){0,3}(?:thuoc|nuoc tay|thuoc tay|nuoc giat|vien giat|nuoc rua|xa phong|thuoc chuot|"
        r"thuoc diet chuot|thuoc tru sau|dau hoa|xang|pin|nam cham|long nao|cong thuc tay|nuoc javel|javel)",
        r"(?:uong|an|nuot) (?:\w+ ){0,3}thuoc (?:\w+ ){0,3}cua (?:ba|ong|bo|me|chong|vo|anh|chi|nguoi khac) (?:\w+ )?(?:nham|lon)",
        r"ngo doc (?:thuoc|hoa chat|thuoc tru sau|khi|xang|ruou)", r"(?:uong|an|nuot) (?:\w+ ){0,2}(?:nuoc tay|thuoc tru sau|thuoc diet chuot|thuoc chuot|nuoc javel)",
        r"(?:uong|cho (?:be|con|chau) uong) (?:gap doi|gap ba|qua) lieu", r"(?:uong|cho uong) (?:\w+ ){0,3}(?:2|hai) lan (?:vi|do) quen", r"uong trung (?:\w+ )?(?:thuoc|lieu)",
        # anaphylaxis
        r"noi (?:me day|man ngua|ban do|mang do) (?:\w+ ){0,3}(?:khap|toan) (?:nguoi|than)[^.]{0,60}(?:kho tho|kho nuot|sung|choang)",
        r"(?:bi )?ong (?:dot|chich|cham|dam)[^.]{0,60}(?:sung|kho tho|noi me day|choang|ngat)",
        r"(?:moi|luoi|mi mat|hong) (?:va (?:moi|luoi|mi mat|mat|hong) )?(?:\w+ )?sung (?:len|phu|to|vu|tay)",
        # bleeding, sepsis, obstetric, infant, DKA, opioid
        r"chay mau (?:\w+ ){0,3}(?:khong|chua) (?:cam|ngung|dung|het)", r"chay mau mai", r"(?:thuoc )?chong dong[^.]{0,80}(?:te|nga)[^.]{0,40}dau", r"(?:te|nga)[^.]{0,60}(?:dap|dung|va) (?:\w+ ){0,2}dau[^.]{0,100}(?:chong dong|loang mau)",
        r"(?:mang thai|co thai|bau)[^.]{0,40}dau dau[^.]{0,40}(?:mo mat|nhin mo|hoa mat|dom dom)", r"ret run[^.]{0,40}(?:lu lan|lo mo|sau mo|hoa tri|tim dap nhanh|tut huyet ap)", r"(?:sot|sot cao) (?:\w+ ){0,3}(?:lu lan|lo mo|me man|noi sang)",
        r"(?:khong|it|chua) (?:thay|cam thay|cam nhan) (?:\w+ )?thai (?:may|dap|dong|cu dong)", r"thai (?:may|dap|dong|cu dong) (?:rat )?(?:it|yeu|giam)",
        r"bo bu", r"(?:bu|an) kem (?:\w+ ){0,4}(?:sot|li bi|lu du|ngu nhieu)", r"li bi", r"(?:be|tre|con|chau) (?:\w+ ){0,3}lu du", r"mem nhun",
        r"dong tu (?:co )?(?:nho|co nho|dau dinh ghim|nhu dau kim)", r"(?:tiem|xit|cho dung|dung) (?:\w+ )?(?:narcan|naloxone)",
        r"hoi tho (?:co )?(?:mui )?(?:trai cay|tao|ngot|mui ceton)", r"dot ngot (?:\w+ ){0,3}(?:di khong vung|mat thang bang|nhin mo|mat thi luc|nhin doi)",
    ]),
    ("abnormal_result", "U", True, [
        r"thieu mau", r"gan nhiem mo", r"soi (?:than|mat|tui mat|ong mat|niem|bang quang|tiet nieu|san)", r"(?:u nang|nang (?:gan|than|buong trung|tuyen giap|vu|thuy|giap|keo|nuoc))",
        r"(?:thay|phat hien) nang", r"(?:gan (?:lach )?to|lach to|bong tim to|tuyen giap to|hach to|tuyen tien liet (?:\w+ )?(?:to|phi dai)|phi dai|tang kich thuoc)",
        r"(?:giang mai|chlamydia|lau|hiv|hbsag|viem gan [bc]|lao|quantiferon|anti-?hcv)(?:(?!am tinh|khong)[^.\n;,]){0,30}(?:duong tinh|\(\+\)|phan ung)",
    ]),
    ("abuse", "U", False, [
        r"(?:luc|kiem tra|giu|tich thu|dap vo|dap|nem) (?:\w+ ){0,1}dien thoai (?:cua )?(?:toi|em|ba|me|co ay|chi ay)",
        r"(?:chong|vo|ban trai|con trai|con gai|anh ta|ong ta|ba ta|no)[^.]{0,20}(?:giu|lay|cam|tich thu|quan|tieu) (?:het |toan bo )?(?:tien|luong|the ngan hang|luong huu)",
        r"bi bo doi", r"bo (?:\w+ )?doi (?:ca ngay|nhieu ngay|may ngay)", r"(?:khong ai|chang ai) (?:cho an|cham soc|ve sinh|tam rua|thay ta|lo)",
        r"de (?:\w+ )?(?:mot minh|o nha mot minh) (?:\w+ ){0,3}(?:ca ngay|nhieu ngay|khong co gi an)", r"(?:bop|siet) co (?:toi|em|chau|ba|me)",
        r"doa (?:se )?(?:giet|danh chet)",
    ]),
]

ZH += [
    ("self_harm", "E", False, [
        r"(?:再也|永远)(?:不要|不想|别|不)(?:再)?醒", r"睡(?:着|过去)(?:\w{0,6})(?:不要|不想|别|不)(?:再)?醒",
        r"没有我[^。；！？\n]{0,12}(?:更好|更轻松|轻松|好过|解脱)", r"我(?:死了|不在了|走了|消失了)[^。；！？\n]{0,12}(?:更好|更轻松|轻松|解脱)",
        r"不想(?:再)?(?:待|留|活)在这个世界", r"(?:想|希望)(?:永远)?消失", r"永远消失", r"(?:继续|活)下去(?:\w{0,4})(?:没有|没)(?:意义|意思)",
        r"(?:东西|物品|财产|首饰)(?:\w{0,2})(?:都|全)?(?:送人|送给|送掉|分给)", r"(?:写|留)(?:了|好|下)?(?:遗书|遗言)", r"(?:交代|安排)(?:好)?后事",
        r"(?:买|准备|藏|存)(?:了|好)?(?:\w{0,3})(?:农药|老鼠药|百草枯|敌敌畏|绳子|木炭|炭)", r"(?:喝|吃)农药", r"烧炭",
        r"(?:计划|打算)(?:\w{0,6})(?:自杀|结束生命|去死)", r"我(?:\w{0,2})(?:是|成了)(?:\w{0,4})(?:负担|拖累|累赘)", r"不想(?:再)?撑", r"活着(?:太|好|真)?累", r"想(?:去)?死",
        r"(?:安眠药|药|药片)(?:都|全)?(?:存|攒|囤|藏)(?:起来|了)", r"(?:不如|还不如)(?:走了|消失)",
    ]),
    ("emergency_symptoms", "E", True, [
        r"误(?:吞|服|食|喝|吃)", r"吃错(?:了)?药", r"(?:吞|吃|咽)(?:了|下)?(?:\w{0,6})(?:纽扣电池|电池|磁铁|磁珠|吸铁石)",
        r"(?:喝|吃|舔|咬|吞)(?:了|到|下)?(?:\w{0,5})(?:漂白(?:水|剂)|84消毒液|消毒(?:水|液)|洗衣(?:液|凝珠|球|粉)|洗洁精|清洁剂|洁厕(?:灵|剂)|"
        r"农药|老鼠药|杀虫剂|除草剂|汽油|煤油|防冻液)",
        r"(?:吃|吞|喝)(?:了|下)?(?:\w{0,4})(?:奶奶|爷爷|外婆|外公|大人|妈妈|爸爸|别人|老公|老婆|丈夫|妻子)的(?:\w{0,6})(?:药|片)",
        r"偷吃(?:了)?(?:\w{0,6})(?:药|片)", r"(?:洗衣(?:液|凝珠|球)|洗洁精|漂白|消毒(?:水|液)|清洁剂|洁厕|农药|老鼠药|杀虫剂|纽扣电池|电池|磁铁|磁珠)(?:\w{0,6})(?:咬破|吃了|吞了|喝了|舔了|进嘴|放进嘴)",
        r"(?:怀孕|孕)[^。]{0,20}头(?:很|非常|特别)?(?:痛|疼)[^。]{0,20}(?:模糊|冒金星|看不清|眼花)", r"(?:吃|吞)(?:了|下)?(?:一把|一整瓶)(?:\w{0,3})药",
        r"(?:喉咙|喉头|嗓子)(?:(?!不|没|无)\w){0,3}(?:发紧|紧|堵|肿得|肿起来|快要?封)", r"(?:舌头|嘴唇)(?:(?!不|没|无)\w){0,5}(?:肿|发麻)", r"(?:蜂|蜜蜂|马蜂|黄蜂)(?:\w{0,3})(?:蛰|叮|蜇)(?:[^。]{0,20})(?:肿|疹|喘|呼吸|头晕)",
        r"全身(?:\w{0,3})(?:起|出)?(?:疹子|荨麻疹|风团|红疹)(?:[^。]{0,20})(?:喘|呼吸|喉咙|嗓子|头晕)",
        r"(?:宝宝|婴儿|新生儿|(?:\d+|[一二三两四五六])(?:天|周|个?月)大)[^。]{0,20}(?:不吃奶|拒奶|吃奶(?:很)?少|不肯吃奶|没精神|精神(?:很)?差|蔫|软绵绵|嗜睡|一直睡)",
        r"瞳孔(?:\w{0,3})(?:很小|针尖|缩小)", r"(?:打|用|喷|给)(?:了)?(?:\w{0,3})纳洛酮", r"烂苹果味", r"(?:呼吸|口气|嘴里)(?:有|带)(?:\w{0,3})(?:水果|烂苹果)味",
        r"(?:发烧|发热|高烧)(?:\w{0,6})(?:寒战|发抖|打寒颤)|(?:寒战|发抖|打寒颤)(?:\w{0,6})(?:发烧|发热|高烧)",
        r"(?:感觉不到|没(?:有)?感觉到|摸不到)胎动", r"(?:叫|喊|摇|拍)(?:[^。，]{0,10})(?:很多次|好几次|几次|半天)(?:才)?(?:\w{0,3})(?:睁|醒|有反应)",
        r"(?:不小心|重复|多)(?:\w{0,6})(?:吃|服)(?:了)?(?:两次|两遍|双倍|双份)|(?:吃|服)(?:了)?双倍|重复(?:吃|服)(?:了)?(?:\w{0,4})药|多吃了(?:\w{0,3})(?:药|片|粒)|多吃了(?:一|两|几)(?:次|顿|遍|片|粒)", r"突然(?:\w{0,4})(?:走路不稳|站不稳|看不见|看不清|视力模糊|重影)",
        r"(?:流血|出血)(?:\w{0,6})(?:止不住|停不下来|不止)",
    ]),
    ("abnormal_result", "U", True, [
        r"脂肪肝", r"(?:胆囊|肾|输尿管|膀胱|胆管)(?:\w{0,3})结石", r"(?:见|提示|发现|有)(?:\w{0,3})结石", r"(?:肝|肾|卵巢|甲状腺|胰腺|附件|脾)(?:\w{0,6})囊肿",
        r"(?:肝|脾|心影|心脏|甲状腺|前列腺|淋巴结|肾)(?:\w{0,3})(?:增大|肿大)", r"(?:肝|脾)大", r"贫血",
    ]),
    ("abuse", "U", False, [
        r"(?:查|翻|监控|没收|摔|砸)(?:\w{0,2})(?:我|她|他)的?手机", r"没人给(?:\w{0,2})(?:饭|吃的|水|喝的|药|换)", r"(?:挨饿|饿了(?:好几|几)天)", r"(?:钱|工资|退休金|养老金|低保|存款|银行卡)(?:\w{0,3})(?:都|全)?(?:被)?(?:拿走|抢走|扣着|扣了|花光|取走|控制)",
        r"(?:一个人|独自)(?:\w{0,6})(?:没人管|没人照顾|没饭吃)", r"(?:掐|勒)(?:住)?(?:我|她|他)的?(?:脖子|喉咙)", r"(?:说|威胁)(?:\w{0,4})要?(?:杀了|弄死|打死)(?:我|她|他)",
    ]),
]

# Context triggers (on the same views). A negation suppresses a cue within its clause, after it and
# close enough; history suppresses emergency symptoms and results; family history suppresses all.
VI_NEGATION = (r"(?:phu nhan|phu dinh|khong|ko|chang|chua|khong con|khong he|khong co|khong bi|khong thay|am tinh|binh thuong|khong phai)")
VI_NEGATION_AFTER = r"^(?:(?!nhung)[^.;\n]){0,20}?(?:am tinh|binh thuong|khong phat hien)"
VI_HISTORY = r"(?:(?<!sinh )nam (?:19|20)\d\d|tuan truoc|thang truoc|tien su|truoc day|hoi truoc|nam ngoai|da tung|cach day \w+ (?:nam|thang)|nhieu nam truoc|luc truoc|ngay xua|da khoi|benh cu)"
VI_FAMILY = r"(?:tien su gia dinh|gia dinh (?:co|toi co) (?:nguoi|ai)|(?:bo|cha|me|ong|ba|anh|chi|em) (?:toi |em )?(?:da )?(?:mat|qua doi|chet) vi)"
VI_CLAUSE_BREAK = r"(?:\bnhung\b|\btuy nhien\b|\bma\b|\bcon\b(?= \w+ (?:thi|bi)))"
ZH_NEGATION = r"(?:没有|没|无|否认|不|未|并无|未见|未发现|排除|阴性|不再|已经不|已不)"
ZH_NEGATION_AFTER = r"^[^。；\n]{0,8}?(?:阴性|正常|未见|没有|无|已排除|排除)"
ZH_HISTORY = r"(?:(?<!生于)(?:19|20)\d\d年(?![^，。；]{0,6}生)|上周|上个月|上次|既往|以前|之前|曾经|曾|过去|病史|多年前|去年|几年前|早年|已治愈|已经好了)"
ZH_FAMILY = r"(?:家族史|家族中|家里有人|家里人(?:也|都)?(?:有|得过|患)|(?:父亲|母亲|爸爸|妈妈|爷爷|奶奶|外公|外婆|哥哥|姐姐)(?:生前|去世|死于|因\w{0,6}去世))"
ZH_CLAUSE_BREAK = r"(?:但是|但|可是|不过|然而|却)"
