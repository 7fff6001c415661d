"""Stopwords for key phrases, topic labels and trends: function words that
split phrases and never make a label on their own.

English is the main list; the others are short best-effort lists of the
commonest function words, enough to keep "der", "les", "que" out of labels.
Words are folded as ``phrases.fold_word`` folds them (lower case, no accents).
"""

from __future__ import annotations

_ENGLISH = """
a about above across after again against ago all almost along already also although always am
among an and another any anybody anyone anything anyway anyways are aren around as at away back
be became because become been before being below besides between beyond both but by can cannot
cant could couldn couldnt did didn didnt do does doesn doesnt doing don dont done down during each
either else enough etc even ever every everybody everyone everything except few for from further
get gets getting got gotten had hadn hadnt has hasn hasnt have haven havent having he hed hell her
here hers herself hes him himself his how however i id ie if ill im in into is isn isnt it its
itself ive just least less let lets like ll made make makes many may maybe me might mine more most
much must mustn my myself neither never nevertheless no nobody none nor not nothing now of off
often oh ok okay on once one only onto or other others otherwise ought our ours ourselves out over
own per perhaps please quite rather re really s said same say says see seem seems shall shan she
shed shes should shouldn shouldnt since so some somebody someone something sometimes somewhat
still such sure t than that thats the their theirs them themselves then there theres these they
theyd theyll theyre theyve thing things this those though through thru thus till to together too
toward towards u under unless until up upon ur us use used using ve very via vs want wanna was
wasn wasnt way we wed well went were weren werent weve what whatever whats when whenever where
whereas wherever whether which while who whoever whole whom whos whose why will with within
without won wont would wouldn wouldnt y yeah yes yet you youd youll your youre yours yourself
yourselves youve
lol lmao omg tbh imo imho btw rt amp via pls plz thx thanks thank gonna gotta
today yesterday tomorrow day days week weeks time times year years lot lots
"""

_GERMAN = """
aber alle allem allen aller alles als also am an auch auf aus bei beim bin bis bist da damit dann
das dass dem den denn der des dich die dies diese diesem diesen dieser dieses dir doch dort du
durch ein eine einem einen einer eines er es etwas euch euer fur hab habe haben hat hatte hier
ich ihr ihre im in ist ja jetzt kann kein keine mal man mehr mein meine mich mir mit muss nach
nicht nichts noch nur ob oder ohne schon sehr sein seine sich sie sind so uber um und uns unser
vom von vor war waren warum was weil welche wenn wer werden wie wieder wir wird wo zu zum zur
"""

_FRENCH = """
a au aussi aux avec avez avoir c ca ce ces cet cette d dans de des du elle elles en est et etait
etre eu il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous
on ou par pas plus pour qu que qui s sa sans se ses si son sont sur ta te tes toi ton tous tout
tres tu un une vos votre vous y
"""

_SPANISH = """
a al algo como con cuando de del el ella ellas ellos en era es esa ese eso esta estan este esto
fue ha hay la las le les lo los mas me mi muy nada ni no nos o para pero por porque que se ser
si sin sobre su sus te tiene todo tu un una uno unos y ya yo
"""

_ITALIAN_PORTUGUESE_DUTCH = """
al alla che chi ci con da dei del della di e gli ha ho il in io la le lo ma mi nel non per piu
questo si sono su ti tu un una uno
ao as com da das do dos ela ele em era essa esse esta este eu foi isso mais mas meu minha muito
na nao no nos o os ou para pela pelo por quando se sem ser seu sua tem um uma voce
aan al als ben bij dat de deze die dit door een en er geen heb heeft het hij hoe ik in is je
kan maar met mijn naar niet nog nu of om ook op over te tot uit van voor was wat we wel wij zijn
zo
"""

STOPWORDS: frozenset[str] = frozenset(
    " ".join((_ENGLISH, _GERMAN, _FRENCH, _SPANISH, _ITALIAN_PORTUGUESE_DUTCH)).split()
)
