"""Word lists used by forum.privacy (names, roles, allowlists); data only, no logic."""
from __future__ import annotations


def _words(blob: str) -> frozenset[str]:
    """Split a whitespace-separated blob into a frozenset of words."""
    return frozenset(blob.split())


REASONS = {
    "email": "An email address lets anyone contact you directly, outside this forum.",
    "phone": "A phone number can be used to call, text or look you up.",
    "address": "A street address shows where your family lives or can be found.",
    "date": "An exact date can tie this post to a specific meeting or incident at school.",
    "kin_name": "Your child's or relative's name can identify your family to people who know you.",
    "staff_name": "Naming school staff can identify your child's school and may cause conflict.",
    "school": "The school or district name narrows down who your child is.",
    "full_name": "A full name identifies a real person who may not want to be discussed.",
    "social_url": "A social-media link can lead straight to your family's profile.",
    "age": "An exact age, with the other details here, narrows down which child this is.",
    "name": "A person's name can identify your family to people who know you.",
}

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]

STREET_SUFFIXES = [
    "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Drive", "Dr", "Lane", "Ln",
    "Court", "Ct", "Way", "Place", "Pl", "Circle", "Cir", "Terrace", "Parkway", "Pkwy", "Highway",
    "Hwy", "Trail", "Trl", "Loop", "Square", "Pike", "Ridge", "Cove", "Crossing", "Alley", "Plaza",
]

# Common US given names (SSA top names across generations plus a broader mix), for full names.
FIRST_NAMES = _words(""" aaron abby abigail ada adam
addison adrian adriana aiden aidan aisha alan albert alejandro alex alexa alexander alexandra
alexis alice alicia alison allison alyssa amanda amber amelia amy ana andre andrea andrew andy
angel angela angelica angie anita ann anna annabelle anne annie anthony antonio april aria ariana
ariel arthur ashley asher aubrey audrey austin autumn ava avery bailey barbara beau becky bella
ben benjamin bennett beth betty beverly bianca bill billy blake bobby bonnie bradley brady brandon
brayden brenda brendan brett brian briana brianna brittany brooke brooklyn bruce bryan bryce caleb
cameron camila candace cara carl carla carlos carmen carol caroline carolyn carson carter casey
cassandra catherine cecilia chad charles charlie charlotte chase chelsea cheryl chloe chris
christian christina christine christopher cindy claire clara claudia clayton cody colby cole colin
colton connor cooper courtney craig crystal curtis cynthia daisy dakota dale dallas dalton damian
dan dana daniel daniela danielle danny darius darren dave david dawn dean deanna debbie deborah
debra delaney denise dennis derek deshawn desiree destiny devin diana diane diego dominic donald
donna dorothy douglas drew dustin dylan easton eddie edward elena eli eliana elias elijah
elizabeth ella ellie emily emma eric erica erik erin ernest esther ethan eva evan evelyn ezra
faith felicia felix fernando fiona frances francisco frank gabe gabriel gabriela gabriella gary
gavin genesis george gerald gina gloria grace grant greg gregory hailey haley hannah harold harper
harrison harry hayden hazel heather heidi helen henry holly hope hudson hunter ian isaac isabel
isabella isaiah isla ivan ivy jack jackie jackson jacob jacqueline jada jaden jaime jake james
jamie jan jane janet janice jared jasmine jason javier jax jaxon jayden jayla jean jeff jeffrey
jenna jennifer jenny jeremiah jeremy jerry jesse jessica jesus jill jillian jim jimmy joan joanna
jocelyn jodi joe joel john johnny jon jonathan jordan jorge jose joseph josephine josh joshua
josiah joy joyce juan judith judy julia julian julie justin kaden kai kaitlyn kara karen kari
karla kate katelyn katherine kathleen kathryn kathy katie kayla kaylee keith kelly kelsey kendall
kendra kennedy kenneth kevin kim kimberly kinsley kristen kristin kristina kyle kylie lacey lance
landon larry laura lauren layla leah lee leo leon leonardo lesley leslie levi liam lila lillian
lily lincoln linda lindsay lindsey lisa logan lori lorraine louis lucas lucy luis luke luna lydia
lynn mackenzie madeline madison maggie malik mandy manuel marcus margaret maria mariah marie
marilyn mario marissa mark marlene martha martin marvin mary mason mateo matt matthew maureen max
maya megan melanie melissa mia micah michael michelle miguel mike mila miles millie miranda misty
molly monica morgan nancy naomi natalie nate nathan nathaniel nevaeh nicholas nick nicole noah
nolan nora norma olivia omar oscar owen paige pamela parker patricia patrick paul paula peggy
penelope penny peter peyton phillip phyllis piper preston priscilla quinn rachel ralph randy
raymond rebecca reese regina renee rhonda ricardo richard riley rita rob robert roberto robin
rodney roger ronald rosa rose roxanne ruby russell ruth ryan sabrina sadie samantha samuel sandra
sara sarah savannah scarlett scott sean sebastian selena serenity seth shane shannon sharon shawn
sheila shelby sherry shirley sierra silas skylar sofia sophia sophie spencer stacy stella
stephanie stephen steve steven sue summer susan sydney tamara tammy tanya tara tasha taylor teresa
terry theodore theresa thomas tiffany timothy tina todd tom tommy tony tracy travis trevor trinity
troy tyler valerie vanessa veronica victor victoria vincent violet virginia walter wanda wayne
wendy wesley william willow wyatt xavier yolanda yvonne zachary zach zoe zoey aaliyah adebayo
ahmed ali amir amira anjali arjun aryan ayesha carmen chen darnell dashawn deandre demetrius ebony
fatima gabriela guadalupe hiroshi hector imani jamal jamar jasmin jaylen jin juanita kareem keisha
kenji lakisha latasha latoya luz malia marisol maya mei mohamed mohammed nadia nia omari pedro
priya rafael rahul raj ramon rosa sanjay shanice sonia sunita tamika terrell tyrone wei
xiomara yesenia yusuf sam jen jess liz meg tim steph becca pam deb kat val nat nikki
""")

# Given names that are also ordinary words or places: need a known surname to count as a full name.
AMBIGUOUS_FIRST = _words("""
april august autumn austin bill chase dallas dawn dean faith grace harper hope hunter ivy jack
jordan joy june lincoln madison mark max may miles parker penny rose ruby summer virginia will
willow carter cooper grant lance mason rob skylar taylor trinity genesis destiny serenity kennedy
""")

# Lower-case words after "my son" that are more likely verbs or adverbs than names.
LOWER_NAME_WORDS = _words(
    "will may mark hope chase grant rose miles bill sue pat lance art ray august max"
)

# Common US surnames (needed when the given name is ambiguous).
SURNAMES = _words("""
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez
wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark
ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams
nelson baker hall rivera campbell mitchell carter roberts phillips evans turner parker collins
edwards stewart morris murphy cook rogers morgan peterson cooper reed bailey bell kelly howard
ward cox richardson wood watson brooks bennett gray james hughes price sanders myers long ross
foster washington butler simmons bryant alexander russell griffin diaz hayes patel shah singh
kumar kim chen wang zhang li liu yang huang wu choi tran le pham khan ali ahmed okafor adeyemi
""")

# Capitalised words before a surname that are not given names ("Thanks Lee", "Ask Kim").
NOT_GIVEN = _words("""
thanks thank ask call email text tell dear hi hello hey cc per message contact meet see congrats
welcome love miss poor sweet like unlike from with and but for the our my his her their mrs mr ms
""")

# Capitalised words that follow a given name without being a surname ("Summer Camp", "Will Power").
NOT_SURNAMES = _words("""
academy act advisory after also am an and any april are as at august autism because before
behavior break but camp can center centre church class club college county court day december did
district do does education elementary fair february friday from grade had has have he her high his
how i if in is it its january july june just law march may middle monday month my night no not
november now october of on or our plan potter power program reading said saturday school september
services she so special spectrum state street sunday system team than that the their then there
they this thursday to today tuesday university up was we wednesday were when who will with year
yes you
""")

# Capitalised words that never start a name after a kinship word or title.
STOP_AFTER_KIN = _words("""
a about after also an and are as at because before but by can could did does for from had has have
he her his how i if in is it its just mom dad my no not now of on or our she so that the their
then there they this though to too was we were what when which who why with would you mr mrs ms
miss dr mx parent parents monday tuesday wednesday thursday friday saturday sunday january
february march april june july august september october november december christmas easter
thanksgiving iep ieps find development protective care support services life study
""")

# Public figures, characters and brands that look like titled or full names.
ALLOWLIST = frozenset(s.lower() for s in [
    "Dr. Seuss", "Dr Seuss", "Dr. Phil", "Dr Phil", "Dr. Pepper", "Dr Pepper", "Dr. Who",
    "Doctor Who", "Dr. Oz", "Dr. Scholl", "Mr. Rogers", "Mr Rogers", "Mister Rogers", "Fred Rogers",
    "Mr. Bean", "Mr. Clean", "Mr. Potato Head", "Mrs. Doubtfire", "Ms. Rachel", "Ms Rachel",
    "Miss Rachel", "Mr. Incredible", "Ms. Frizzle", "Miss Honey", "Mrs. Claus", "Ms. Pac-Man",
    "Dr. Temple Grandin", "Temple Grandin", "Ross Greene", "Dr. Ross Greene", "Dr Ross Greene",
    "Pete Wright", "Peter Wright", "Pam Wright", "Pete and Pam Wright", "Daniel Tiger",
    "Thomas the Tank Engine", "Donald Duck", "Max and Ruby", "Lindamood Bell", "Charlotte Mason",
    "Kennedy Krieger", "Katie Beckett", "Martin Luther King", "Judge Judy", "Ronald McDonald",
    "Harry Potter", "Charlie Brown", "Dr. Google", "Dr Google",
    "Martin Luther", "Abraham Lincoln", "George Washington", "Thomas Jefferson", "Helen Keller",
    "Taylor Swift", "Albert Einstein", "Coach Carter", "Dean Kamen", "Khan Academy",
])

# Titles that precede a staff member's name, mapped to the neutral replacement.
TITLES = {
    "mr": "a staff member", "mrs": "a staff member", "ms": "a staff member",
    "miss": "a staff member", "mx": "a staff member", "dr": "the doctor", "doctor": "the doctor",
    "prof": "the professor", "professor": "the professor", "coach": "the coach",
    "nurse": "the nurse", "principal": "the principal", "vice principal": "the vice principal",
    "assistant principal": "the assistant principal", "superintendent": "the superintendent",
    "director": "the director", "counselor": "the counselor", "dean": "the dean",
    "officer": "the officer", "judge": "the judge", "sister": "a staff member",
}

# Role nouns ("_" = a space) that may precede a name ("his teacher Ms. Kim", "the OT, Jenna Smith").
ROLES = sorted("""
teacher teachers aide para paraprofessional parapro case_manager caseworker case_worker principal
superintendent director coordinator counselor psychologist therapist slp ot pt bcba rbt nurse
social_worker advocate attorney lawyer mediator hearing_officer interventionist specialist
evaluator doctor pediatrician neurologist psychiatrist developmental_pediatrician bus_driver
driver coach liaison administrator admin sub substitute tutor representative rep interpreter
monitor dean consultant diagnostician audiologist
""".split(), key=len, reverse=True)

# Words naming the kind of school or district at the end of a school name.
SCHOOL_TYPES = (
    r"(?:Unified\s+School\s+District|Independent\s+School\s+District|School\s+District|"
    r"Public\s+Schools|City\s+Schools|County\s+Schools|Unified|ISD|USD|CISD|CUSD|"
    r"(?:Elementary|Middle|High|Junior\s+High|Intermediate|Primary|Charter|Catholic|Christian|"
    r"Montessori|Magnet|Community)\s+School|Elementary|Middle|Junior\s+High|High|Intermediate|"
    r"Academy|Preschool|Montessori|Preparatory|Prep\s+School|School|College|Primary|Charter|"
    r"(?:Early\s+)?Learning\s+Center|Therapy\s+Center|Therapy|Therapies|ES|MS|HS)"
)

# Capitalised words that cannot be the (first) name part of a school name.
NOT_SCHOOL_NAMES = _words("""
a an and at but for from go in is my of on or our so the their this to your his her we i sunday
summer night high middle elementary public private charter extended special home boarding grad
graduate law medical nursing primary secondary junior senior after before new next last montessori
catholic christian magnet community intermediate preschool day therapeutic alternative local test
speech occupational physical behavior behavioral feeding music play vision aquatic equine family
cognitive sensory mental
""")

# Kinship and family-role words ("_" = a space) after which a capitalised word is likely a name.
KIN_WORDS = sorted("""
son sons daughter daughters child children kid kids kiddo kiddos boy boys girl girls baby toddler
twins twin teen teenager husband wife partner spouse fiance fiancee ex ex-husband ex-wife brother
sister sibling siblings nephew niece cousin grandson granddaughter grandchild grandkid stepson
stepdaughter stepchild stepkid foster_son foster_daughter foster_child mother father mom dad mum
mama papa aunt uncle grandma grandpa grandmother grandfather mother-in-law father-in-law youngest
oldest eldest middle little_one little_guy little_man little_girl little_boy baby_girl baby_boy
kindergartner kindergartener preschooler grader first_grader second_grader
""".split(), key=len, reverse=True)
