"""Case discussions in the manner of Project ECHO: a de-identified case from the
mentee's side, the mentor's written recommendations, deletion after the mentorship."""
